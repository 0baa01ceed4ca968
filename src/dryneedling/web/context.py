"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dryneedling.accounts.selectors import membership_or_none


def membership(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's clinic and role, for the page header (read once per request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"membership": None}
    return {"membership": membership_or_none(actor=user)}
