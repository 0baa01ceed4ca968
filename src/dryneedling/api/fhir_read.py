"""`/fhir/` reads (issue 13): read, search by patient (a searchset Bundle, paged by a `next` link),
Patient/[id]/$everything, and the Groups a Bulk Data client may export. Each goes through the
clinic of the token (`fhir.stream` reads one clinic only), each patient touched leaves a
`patient.view` row `via: fhir`. Observations (outcome scores) are clinical: only a clinician
reads them, as in the browser; the other types are what every role of the clinic sees."""

from __future__ import annotations

import re
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from dryneedling.accounts.permissions import CLINICAL, DEMOGRAPHICS, Capability, allows, require
from dryneedling.accounts.selectors import membership_for
from dryneedling.api.fhir_http import FhirError, audit_patient_view, base_url, fhir_response, fhir_view, outcome
from dryneedling.api.pagination import MAX_LIMIT
from dryneedling.fhir import stream
from dryneedling.fhir.groups import group_ids, group_resource
from dryneedling.patients.selectors import deny, patient_get_for

DEFAULT_COUNT = 50
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
DEMOGRAPHIC_TYPES = frozenset({"Organization", "Practitioner", "Patient", "EpisodeOfCare", "Condition", "Appointment"})


def capability_of(resource_type: str) -> Capability:
    """What a role needs to read a type: the clinical record's types need CLINICAL."""
    return DEMOGRAPHICS if resource_type in DEMOGRAPHIC_TYPES | {"Group"} else CLINICAL


def _known(resource_type: str) -> str:
    if resource_type not in (*stream.TYPES, "Group"):
        raise FhirError(404, f"This server has no resource type '{resource_type[:40]}'; see GET /fhir/metadata.",
                        "not-supported")  # fmt: skip
    return resource_type


def _fhir_id(resource_id: str) -> str:
    """A FHIR id (letters, digits, '-', '.', at most 64) whose numbers fit a database key; else 404."""
    if not FHIR_ID.fullmatch(resource_id) or re.search(r"\d{19,}", resource_id):
        raise Http404("No such record in your clinic.")
    return resource_id


def _int_param(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise FhirError(400, f"{name}: a whole number from {low} to {high}.")
    return int(raw)


def _strict(request: HttpRequest, allowed: set[str]) -> None:
    unknown = sorted(set(request.GET) - allowed - {"_format"})
    if unknown:
        raise FhirError(400, f"This server does not support the parameter(s) {', '.join(unknown)[:200]} here; "
                        f"it takes {', '.join(sorted(allowed)) or 'none'}.", "not-supported")  # fmt: skip


def _patient_id(raw: str) -> int:
    value = raw.removeprefix("Patient/")
    if not value.isdigit() or len(value) > 18:
        raise FhirError(400, "patient: a patient's id, e.g. patient=12 or patient=Patient/12.")
    return int(value)


def _patients_named(resource: dict[str, Any]) -> set[int]:
    refs = [resource.get("subject"), resource.get("patient")]
    refs += [one.get("actor") for one in resource.get("participant", [])]
    found = {ref["reference"] for ref in refs if isinstance(ref, dict) and "reference" in ref}
    return {int(ref.split("/", 1)[1]) for ref in found if ref.startswith("Patient/") and ref[8:].isdigit()}


def _entry(base: str, resource: dict[str, Any], mode: str = "match") -> dict[str, Any]:
    return {
        "fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
        "resource": resource,
        "search": {"mode": mode},
    }


def _bundle(request: HttpRequest, entries: list[dict[str, Any]], next_query: dict[str, Any] | None) -> dict[str, Any]:
    links = [{"relation": "self", "url": request.build_absolute_uri()}]
    if next_query is not None:
        links.append({"relation": "next", "url": request.build_absolute_uri(f"{request.path}?{urlencode(next_query)}")})
    return {"resourceType": "Bundle", "type": "searchset", "link": links, "entry": entries}


@fhir_view("GET")
def read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    require(actor=request.user, capability=capability_of(_known(resource_type)))  # type: ignore[arg-type]
    clinic = membership_for(actor=request.user).clinic  # type: ignore[arg-type]
    resource_id = _fhir_id(resource_id)
    found = (
        group_resource(clinic, resource_id)
        if resource_type == "Group"
        else stream.one(clinic, resource_type, resource_id)
    )
    if found is None:  # a denial row, and one in the trail of the clinic that holds the id (as the web's)
        model, pk = stream.row_of(resource_type, resource_id) or (None, resource_id)
        deny(actor=request.user, object_type=resource_type.lower(), object_id=pk, model=model)  # type: ignore[arg-type]
        raise Http404(f"No {resource_type} {resource_id[:40]} in your clinic.")
    for patient_id in {found["id"]} if resource_type == "Patient" else _patients_named(found):
        audit_patient_view(request, int(patient_id))
    return fhir_response(found)


@fhir_view("GET")
def search(request: HttpRequest, resource_type: str) -> HttpResponse:
    """`[Type]?patient=[id]` (Patient: `_id=[id]`); Group: every group of the clinic."""
    require(actor=request.user, capability=capability_of(_known(resource_type)))  # type: ignore[arg-type]
    clinic = membership_for(actor=request.user).clinic  # type: ignore[arg-type]
    base = base_url(request)
    if resource_type == "Group":
        _strict(request, set())
        groups = [group_resource(clinic, one) for one in group_ids(clinic)]
        return fhir_response(_bundle(request, [_entry(base, g) for g in groups if g is not None], None))
    key = "_id" if resource_type == "Patient" else "patient"
    _strict(request, {key, "_count", "_offset"})
    if key not in request.GET:
        raise FhirError(400, f"{resource_type}: search by {key}=[patient id]; the whole clinic is read with "
                        "GET /fhir/$export (Bulk Data).")  # fmt: skip
    count = _int_param(request, "_count", DEFAULT_COUNT, 1, MAX_LIMIT)
    offset = _int_param(request, "_offset", 0, 0, 10**9)
    patient = patient_get_for(actor=request.user, patient_id=_patient_id(request.GET[key]))  # type: ignore[arg-type]
    found = list(islice(stream.by_type(clinic, resource_type, patient_ids=[patient.pk]), offset, offset + count + 1))
    audit_patient_view(request, patient.pk)
    more = {**request.GET.dict(), "_offset": str(offset + count)} if len(found) > count else None
    return fhir_response(_bundle(request, [_entry(base, r) for r in found[:count]], more))


@fhir_view("GET")
def everything(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's compartment, in one Bundle: every type the token's roles may read, and an
    OperationOutcome entry naming the types left out (a front desk token gets no Observations)."""
    _strict(request, set())
    actor = request.user
    patient = patient_get_for(actor=actor, patient_id=patient_id)  # type: ignore[arg-type]
    readable = [t for t in stream.TYPES if allows(actor=actor, capability=capability_of(t))]  # type: ignore[arg-type]
    if not readable:
        raise PermissionDenied(DEMOGRAPHICS.refusal)
    base = base_url(request)
    entries = [_entry(base, r) for _t, r in stream.resources(patient.clinic, types=readable, patient_ids=[patient.pk])]
    left_out = [t for t in stream.TYPES if t not in readable]
    if left_out:
        text = f"Left out: {', '.join(left_out)}. {CLINICAL.refusal}"
        entries.append({"resource": outcome(text, "suppressed", severity="information"), "search": {"mode": "outcome"}})
    audit_patient_view(request, patient.pk)
    return fhir_response(_bundle(request, entries, None))
