"""FHIR R4B out of the record (issue 13): resources built as plain dicts from the clinic's rows,
streamed as NDJSON for Bulk Data export, and read one by one for `/fhir/` (served by `api.fhir`)."""
