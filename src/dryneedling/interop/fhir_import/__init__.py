"""`dryneedling fhir import` (issue 13): FHIR R4B Bundles (collection, transaction, batch,
searchset) and NDJSON files of Patient, EpisodeOfCare, Condition, Observation and Appointment
(Practitioner and Organization read for references) into one clinic, through the apps' services.

- Idempotent by identifier (`interop.models.ExternalId`): a second import of a file changes
  nothing; a resource whose identifier is known updates its record (the file wins for the fields
  the mapping carries, the others are kept).
- All or nothing per file; a failed file is one line "FILE:LINE: message" and the others go in.
- The conventions are the FHIR export's (docs/fhir-mapping.md; `interop.identifiers`).
See docs/decisions.md, "issue 13 — FHIR import".
"""

from dryneedling.interop.fhir_import.run import FileResult, fhir_import

__all__ = ["FileResult", "fhir_import"]
