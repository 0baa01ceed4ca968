"""The client's address, from one place: REMOTE_ADDR, unless the settings name a header that a
trusted reverse proxy sets (CLIENT_ADDRESS_HEADER). Rate limits, the audit trail, django-axes and
the Active sessions page all use it, so they agree on who the client is."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _valid(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: Any) -> str | None:
    """REMOTE_ADDR, or the trusted proxy's header. A header of several addresses (X-Forwarded-For)
    gives its last one: the address the proxy itself saw; the ones before it are the client's word."""
    header = getattr(settings, "DRYNEEDLING_CLIENT_ADDRESS_HEADER", "")
    if header:
        raw = str(request.META.get(header, ""))
        found = _valid(raw.rsplit(",", 1)[-1]) if raw else None
        if found:
            return found
    return _valid(str(request.META.get("REMOTE_ADDR", "")))
