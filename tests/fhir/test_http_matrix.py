"""Tenancy of `/fhir/`, generated from its routes (issue 13), as tests/api/test_api_matrix.py does
for `/api/`: every route, every method, every resource type, requested with no token, with a
token of another clinic and with a token of the clinic, against the clinic's own records and
exports. No token: 401 (the CapabilityStatement is public). The other clinic's token: never a
reference to one of the clinic's patients or to the clinic, whatever the status. A new route is
covered by being a route; one whose parameter the matrix cannot fill fails until it can."""

from __future__ import annotations

import re

import pytest

from dryneedling.api.fhir_urls import urlpatterns
from tests.fhir.http_support import fhir_client

pytestmark = pytest.mark.django_db
PUBLIC = {"metadata"}
METHODS = ("get", "post", "put", "patch", "delete")
ASYNC = {"HTTP_PREFER": "respond-async"}


def _clinician(clinic):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import User

    return User.objects.filter(membership__clinic=clinic, membership__is_clinician=True).order_by("pk").first()


def _paths(route: str, values: dict[str, list[str]]) -> list[str]:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    missing = set(names) - set(values)
    assert not missing, f"/fhir/{route}: teach the matrix to fill {missing}"
    paths = ["/fhir/" + route]
    for name in names:
        paths = [re.sub(rf"<(?:\w+:)?{name}>", value, p, count=1) for p in paths for value in values[name]]
    return paths


def test_no_token_and_another_clinics_token_reach_nothing(client, demo_clinics, settings, tmp_path):  # type: ignore[no-untyped-def]
    from dryneedling.fhir import stream
    from dryneedling.fhir.jobs import exports_run_due

    settings.FHIR_EXPORT_DIR = tmp_path
    clinic, other = demo_clinics
    insider, outsider = fhir_client(_clinician(clinic)), fhir_client(_clinician(other))
    owned = {t: r["id"] for t, r in stream.resources(clinic)}  # one id of each type (the last)
    patients = [r["id"] for t, r in stream.resources(clinic, types=["Patient"])]
    status_url = insider.get("/fhir/$export", **ASYNC)["Content-Location"]
    exports_run_due()
    export_id = status_url.rsplit("/", 1)[1]
    values = {
        "resource_type": [*stream.TYPES, "Group"],
        "resource_id": [],  # filled per type below
        "patient_id": [patients[0]],
        "group_id": ["all", f"clinician-{_clinician(clinic).pk}"],
        "export_id": [export_id],
        "file_name": ["Patient.ndjson", "Observation.ndjson"],
        "rest": [f"bulk/{export_id}/x/Patient.ndjson"],  # no route takes it: a 404 OperationOutcome
    }
    leaks = [f'"Patient/{pk}"' for pk in patients] + [f'"Organization/{clinic.pk}"']
    cases = 0
    for pattern in urlpatterns:
        route = str(pattern.pattern)
        paths = []
        for path in _paths(route.replace("<str:resource_id>", "{id}"), values):
            if "{id}" in path:  # a read: the clinic's own record of that type
                kind = path.split("/")[2]
                path = path.replace("{id}", owned.get(kind, "all") if kind != "Group" else "all")
            paths.append(path)
        for path in paths:
            query = {} if "$" in path or path.endswith("Group") else {"patient": patients[0]}
            if path.endswith("/Patient"):
                query = {"_id": patients[0]}
            for method in METHODS:
                anonymous = getattr(client, method)(path, query if method == "get" else None, **ASYNC)
                expected = (200, 405) if pattern.name in PUBLIC else (401,)
                assert anonymous.status_code in expected, (method, path, anonymous.status_code)
                denied = getattr(outsider, method)(path, query if method == "get" else None, **ASYNC)
                assert denied.status_code < 500, (method, path, denied.status_code)
                body = denied.content if not denied.streaming else b"".join(denied.streaming_content)
                assert not any(leak.encode() in body for leak in leaks), (method, path)
                cases += 1
            ok = insider.get(path, query, **ASYNC)
            assert ok.status_code in ((404,) if pattern.name == "no-route" else (200, 202)), (path, ok.status_code)
            exports_run_due()
    # the other clinic's exports hold none of this clinic's patients either
    exports_run_due()
    assert cases >= 60
    print(f"FHIR matrix: {cases} (route, method) cases x 3 personas")
