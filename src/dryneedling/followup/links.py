"""Signed, expiring links for patients (no account): check-ins, home-care plans, consent.

A link carries the record id and purpose, signed with the secret key (django.core.signing,
HMAC-SHA256). It is refused when tampered with, past the record's expiry, or (for check-ins
and consent) already used. Every refusal gives the same page and reveals nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

MAX_AGE = timedelta(days=180)  # outer bound; each record's own expiry is stricter


class LinkError(Exception):
    """The link cannot be used. `reason` is one of: invalid, expired, used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def make_token(*, purpose: str, object_id: int) -> str:
    return signing.dumps({"p": purpose, "id": object_id}, salt=f"dryneedling.link.{purpose}", compress=True)


def read_token(*, purpose: str, token: str, max_age: timedelta = MAX_AGE) -> int:
    """The object id the token was made for; LinkError('invalid'|'expired') otherwise."""
    if not token or len(token) > 400:
        raise LinkError("invalid")
    try:
        payload = signing.loads(token, salt=f"dryneedling.link.{purpose}", max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("invalid") from None
    if not isinstance(payload, dict) or payload.get("p") != purpose or not isinstance(payload.get("id"), int):
        raise LinkError("invalid")
    return payload["id"]
