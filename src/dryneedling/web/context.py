"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dryneedling.accounts.permissions import CAPABILITIES
from dryneedling.accounts.selectors import membership_or_none


def membership(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's clinic and roles, for the page header (read once per request), and
    `can`: which capabilities their roles hold, so a page shows only the buttons they may use
    (`{% if can.clinical %}`; the keys are those of accounts/permissions.py)."""
    user = getattr(request, "user", None)
    found = membership_or_none(actor=user) if user is not None and user.is_authenticated else None
    can = {c.key: found is not None and found.has_role(*c.roles) for c in CAPABILITIES}
    return {"membership": found, "can": can}
