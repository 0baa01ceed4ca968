"""Times in the clinic's zone (issue 10): stored in UTC, shown in `Clinic.time_zone`.

- Every signed-in request runs in its member's clinic zone: `TenancyMiddleware` activates it
  (and deactivates it when the response is done), so templates' `|date` and `|time`,
  `timezone.localtime()` and `timezone.localdate()` give the clinic's wall-clock values.
- A public page reached through a patient's link runs in the zone of the link's clinic
  (`activate(link.clinic)`; the middleware deactivates it).
- Work outside a request (the send-due job's emails and texts) and text stored for later (a
  SOAP draft, a closing stamp) name the clinic: `local(at, clinic)`, `in_zone_of(clinic)`,
  `stamp(at, clinic)`.

Machine data stays in UTC: the iCalendar feed (`...Z`) and the audit CSV (ISO 8601 with its
offset).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

if TYPE_CHECKING:
    from dryneedling.accounts.models import Clinic


def zone_of(clinic: Clinic) -> ZoneInfo:
    """The clinic's zone (UTC if the stored name is not a zone this server knows)."""
    try:
        return ZoneInfo(clinic.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def activate(clinic: Clinic) -> None:
    """Run the rest of this request in the clinic's zone."""
    timezone.activate(zone_of(clinic))


def in_zone_of(clinic: Clinic) -> AbstractContextManager[None]:
    """`with in_zone_of(clinic):` renders templates and reads `localtime()` in the clinic's zone."""
    return timezone.override(zone_of(clinic))


def local(at: datetime, clinic: Clinic | None = None) -> datetime:
    """`at` in the clinic's zone, or in the active zone (the request's clinic) without one."""
    return timezone.localtime(at, zone_of(clinic) if clinic is not None else None)


def render_in_zone_of(clinic: Clinic, template: str, context: dict[str, Any]) -> str:
    """A template rendered outside a request (an email, a text message) in the clinic's zone."""
    from django.template.loader import render_to_string

    with in_zone_of(clinic):
        return render_to_string(template, context)


def zone_name() -> str:
    """The name of the active zone, e.g. "America/New_York": the label of the times on a page."""
    return timezone.get_current_timezone_name()


def stamp(at: datetime, clinic: Clinic) -> str:
    """A time written into stored text: clinic-local, naming its zone (text outlives a zone change)."""
    return f"{local(at, clinic):%Y-%m-%d %H:%M} {zone_of(clinic).key}"
