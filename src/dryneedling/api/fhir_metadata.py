"""`GET /fhir/metadata` (issue 13): the server's CapabilityStatement (FHIR R4B). Public, as FHIR
clients expect (it names what the server can do, nothing of any clinic)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dryneedling.api.fhir_http import base_url, fhir_response, fhir_view
from dryneedling.fhir import stream

BULK = "http://hl7.org/fhir/uv/bulkdata"
EXPORT = {"name": "export", "definition": f"{BULK}/OperationDefinition/export"}
PATIENT_OPERATIONS = [
    {"name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"},
    {"name": "export", "definition": f"{BULK}/OperationDefinition/patient-export"},
]
GROUP_OPERATIONS = [{"name": "export", "definition": f"{BULK}/OperationDefinition/group-export"}]
SEARCH_BY_PATIENT = {"name": "patient", "type": "reference", "documentation": "The patient's id: patient=12"}
SEARCH_BY_ID = {"name": "_id", "type": "token", "documentation": "The patient's id: _id=12"}


def _resource(resource_type: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": resource_type, "interaction": [{"code": "read"}, {"code": "search-type"}]}
    if resource_type == "Patient":
        entry |= {"searchParam": [SEARCH_BY_ID], "operation": PATIENT_OPERATIONS}
    elif resource_type == "Group":
        entry |= {"operation": GROUP_OPERATIONS}
    else:  # Organization and Practitioner too: those the patient's records name
        entry |= {"searchParam": [SEARCH_BY_PATIENT]}
    return entry


def capability_statement(base: str) -> dict[str, Any]:
    security = (
        "A personal API token of a clinic member (Account → API tokens) in 'Authorization: Bearer dn_…'. "
        "Reads follow the member's roles; Bulk Data export is for clinicians and clinic admins."
    )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "publisher": "dryneedling",
        "kind": "instance",
        "instantiates": [f"{BULK}/CapabilityStatement/bulk-data"],
        "software": {"name": "dryneedling"},
        "implementation": {"description": "dryneedling FHIR R4B interface", "url": base},
        "fhirVersion": "4.3.0",
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "security": {"description": security},
                "resource": [_resource(t) for t in (*stream.TYPES, "Group")],
                "operation": [EXPORT],
            }
        ],
    }


@fhir_view("GET", public=True)
def metadata(request: HttpRequest) -> HttpResponse:
    return fhir_response(capability_statement(base_url(request)))
