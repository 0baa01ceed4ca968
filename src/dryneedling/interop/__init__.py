"""Records that come in from other systems (issue 13): FHIR Bundles and NDJSON, and the CSV exports
of Jane App and Cliniko. `models.ExternalId` remembers which record an outside identifier named, so
an import run twice changes nothing the second time; `identifiers` holds the conventions that the
FHIR export (`dryneedling.fhir`) and the importers share."""
