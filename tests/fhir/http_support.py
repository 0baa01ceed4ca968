"""Shared by the `/fhir/` tests: a client of a persona's API token, and R4B validation."""

from __future__ import annotations

import importlib
from typing import Any

from django.test import Client


def fhir_client(user: Any, scope: str = "read") -> Client:  # type: ignore[misc]
    from dryneedling.accounts.api_tokens import api_token_create

    made = api_token_create(actor=user, name="fhir client", scope=scope)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {made.plaintext}")
    client.prefix = made.token.prefix  # type: ignore[attr-defined]
    return client


def validate(resource: dict[str, Any]) -> Any:
    resource_type = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type).model_validate(resource)


def assert_outcome(response: Any, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    validate(body)
    text = body["issue"][0]["diagnostics"]
    for word in words:
        assert word in text, text
    return body  # type: ignore[no-any-return]
