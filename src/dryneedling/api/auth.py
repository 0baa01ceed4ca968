"""Token authentication for `/api/` (issue 13): `Authorization: Bearer dn_…`, a personal API token
(accounts/api_tokens.py). The request then acts as the token's user, with their clinic and roles,
through the same clinic-scoped selectors and services as the browser. A user's requests are
rate limited across their tokens (`api-token`), failed attempts per address (`api-token-failed`);
a read-only token cannot write."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from dryneedling.accounts import zones
from dryneedling.accounts.api_tokens import api_token_authenticate
from dryneedling.accounts.client import client_address
from dryneedling.accounts.models import ApiToken
from dryneedling.accounts.ratelimit import rate_limit_enforce

UNAUTHENTICATED_TEXT = (
    "A valid API token is required: send 'Authorization: Bearer dn_…'. Create one under Account → API tokens; "
    "a revoked or expired token, or one of a user no longer in the clinic, is refused."
)

# What accounts.api_tokens gives out (dn_, 8 hex digits, _, a urlsafe secret): anything else is
# refused before the prefix lookup (a NUL in it is a database error on PostgreSQL, not a 401).
TOKEN_SHAPE = re.compile(r"dn_[0-9a-f]{8}_[A-Za-z0-9_-]{1,100}")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_authenticate(token) if TOKEN_SHAPE.fullmatch(token) else None
        if found is None:  # failed attempts from one address are limited too (guessing, a stale script)
            rate_limit_enforce(scope="api-token-failed", key=client_address(request) or "unknown")
            return None
        rate_limit_enforce(scope="api-token", key=f"user:{found.user_id}")  # all of the user's tokens
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        zones.activate(found.clinic)  # the clinic's days, as in the browser (TenancyMiddleware ran before)
        return found


def token_of(request: Any) -> ApiToken:
    return request.api_token  # type: ignore[no-any-return]


def require_write(request: Any) -> None:
    if token_of(request).scope != ApiToken.Scope.WRITE:
        raise HttpError(
            403, "This token is read-only: create a token with the scope 'read and write' to change records."
        )
