"""Tenancy of the API, generated from its routes (issue 13): every route of `/api/` with every
method, requested with no token, with a token of clinic B and with a token of clinic A, against
clinic A's records. Without a token: 401 (or 405), in JSON. Clinic B's token: never a byte of
clinic A's patient, and no list with anything in it. A new route is covered by being a route; one
whose path parameter is not in PARAMS fails until it is added."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from dryneedling.accounts.api_tokens import api_token_create
from dryneedling.api.main import api

pytestmark = pytest.mark.django_db
PUBLIC = {"openapi-json", "openapi-view", "api-root"}  # the schema, its documentation, the index
METHODS = ("get", "post", "put", "patch", "delete")


def _routes() -> list[str]:
    return sorted({str(p.pattern) for p in api.urls[0] if p.name not in PUBLIC})


def _fill(route: str, params: dict[str, int]) -> str:
    missing = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - set(params)
    assert not missing, f"/api/{route}: add {missing} to the matrix's PARAMS"
    return "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(params[m.group(1)]), route)


def test_no_token_and_another_clinics_token_reach_nothing(client, alice, carol, patient_a, record_a):  # type: ignore[no-untyped-def]
    params = record_a.params()  # one record of each kind (tests/api/conftest.py)
    outsider = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(actor=carol, name='b', scope='write').plaintext}")
    insider = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(actor=alice, name='a').plaintext}")
    cases = 0
    for route in _routes():
        path = _fill(route, params)
        for method in METHODS:
            anonymous = getattr(client, method)(path, content_type="application/json")
            assert anonymous.status_code in (401, 405), (method, path, anonymous.status_code)
            if anonymous.status_code == 401:
                assert "API token" in anonymous.json()["detail"]
            denied = getattr(outsider, method)(path, {}, content_type="application/json")
            assert denied.status_code < 500, (method, path)
            assert b"Quimby" not in denied.content and b"A-0001" not in denied.content, (method, path)
            if denied.status_code == 200 and "items" in denied.json():
                assert denied.json()["items"] == [], (method, path)
            if method == "get":
                assert insider.get(path).status_code == 200, path
            cases += 1
    assert cases >= 80
    print(f"API matrix: {cases} (route, method) cases x 3 personas")
