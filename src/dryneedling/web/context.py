"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dryneedling.accounts.permissions import CAPABILITIES
from dryneedling.accounts.selectors import membership_or_none
from dryneedling.followup.selectors import red_flags_open_count


def membership(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's clinic and roles, for the page header (read once per request), and
    `can`: which capabilities their roles hold, so a page shows only the buttons they may use
    (`{% if can.clinical %}`; the keys are those of accounts/permissions.py), and for clinicians
    `red_flags_open`, the count of the clinic's unacknowledged red flags (the badge on "Today")."""
    user = getattr(request, "user", None)
    found = membership_or_none(actor=user) if user is not None and user.is_authenticated else None
    can = {c.key: found is not None and found.has_role(*c.roles) for c in CAPABILITIES}
    # The navigation's badge: open red flags of the clinic, one COUNT, for clinicians only.
    red_flags_open = red_flags_open_count(clinic_id=found.clinic_id) if found is not None and found.is_clinician else 0
    return {"membership": found, "can": can, "red_flags_open": red_flags_open}
