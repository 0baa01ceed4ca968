"""The `/fhir/` routes (issue 13), namespace `fhir`: the CapabilityStatement, Bulk Data export and
its status and files, $everything, read and search. Operations come before `[Type]/[id]`;
any other address is a 404 OperationOutcome."""

from __future__ import annotations

from django.urls import path

from dryneedling.api import fhir_bulk, fhir_http, fhir_metadata, fhir_read

app_name = "fhir"
urlpatterns = [
    path("metadata", fhir_metadata.metadata, name="metadata"),
    path("$export", fhir_bulk.export_system, name="export"),
    path("Patient/$export", fhir_bulk.export_patients, name="patient-export"),
    path("Group/<str:group_id>/$export", fhir_bulk.export_group, name="group-export"),
    path("bulk/<uuid:export_id>", fhir_bulk.export_status, name="bulk-status"),
    path("bulk/<uuid:export_id>/<str:file_name>", fhir_bulk.export_file, name="bulk-file"),
    path("Patient/<int:patient_id>/$everything", fhir_read.everything, name="everything"),
    path("<str:resource_type>/<str:resource_id>", fhir_read.read, name="read"),
    path("<str:resource_type>", fhir_read.search, name="search"),
    path("<path:rest>", fhir_http.no_route, name="no-route"),  # an OperationOutcome, not the HTML 404 page
]
