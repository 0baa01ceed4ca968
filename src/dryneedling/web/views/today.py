"""Today: each role's landing page (issue 10). Every list comes from a selector of its app, scoped
to the actor's clinic; each shows at most `CAP` rows and links to its full page when there are more.
Reads the role set once: a member with two roles sees both roles' lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, CLINICAL, PATIENT_LINKS, SUPERBILL, allows
from dryneedling.accounts.selectors import accounts_locked_for, membership_for
from dryneedling.followup import link_selectors
from dryneedling.followup import selectors as followup_selectors
from dryneedling.followup.models import Alert
from dryneedling.safetyrecords.selectors import sharps_incidents_open_for
from dryneedling.scheduling import selectors as scheduling_selectors
from dryneedling.treatment import selectors as treatment_selectors
from dryneedling.web.views.shared import AuthedRequest

CAP = 20


@dataclass(frozen=True)
class Capped:
    rows: list[Any]
    more: bool
    more_url: str = ""


def capped(rows: Iterable[Any], more_url: str = "") -> Capped:
    """At most CAP rows; one more is read to know whether there are others (no COUNT query)."""
    if hasattr(rows, "query"):  # a queryset: slice in SQL
        rows = rows[: CAP + 1]  # type: ignore[index]
    found = list(rows)
    return Capped(found[:CAP], len(found) > CAP, more_url)


@login_required
@require_GET
def today(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    membership = membership_for(actor=actor)
    day, start, end = scheduling_selectors.today_bounds_for(actor=actor)
    day_url = reverse("schedule-day") + f"?date={day.isoformat()}"
    context: dict[str, Any] = {"day": day, "zone": membership.clinic.time_zone, "day_url": day_url}
    if membership.is_front_desk:
        # The desk's view of the day, each appointment once: who is still expected (Mark arrived)
        # and who is waiting; the whole day (done, missed, in session) is on the day's book.
        context |= {
            "arrivals": capped(scheduling_selectors.arrivals_for(actor=actor, day=day), day_url),
            "waiting": capped(scheduling_selectors.waiting_for(actor=actor, day=day), day_url),
        }
    else:
        context["appointments"] = capped(scheduling_selectors.day_for(actor=actor, day=day), day_url)
    if allows(actor=actor, capability=CLINICAL):
        followup_url = reverse("followup-list")
        context |= {
            "sessions_open": capped(treatment_selectors.sessions_open_of(actor=actor)),
            "notes_unsigned": capped(treatment_selectors.notes_unsigned_of(actor=actor)),
            "red_flags": capped(
                followup_selectors.alerts_open_for(actor=actor, kind=Alert.Kind.RED_FLAG), followup_url
            ),
            "side_effects": capped(
                followup_selectors.alerts_open_for(actor=actor, kind=Alert.Kind.SERIOUS_SIDE_EFFECT),
                reverse("dashboard"),
            ),
            "overdue": capped(
                followup_selectors.checkins_overdue_for(actor=actor, limit=CAP + 1), followup_url + "?status=overdue"
            ),
            "reviews": capped(followup_selectors.maintenance_due_for(actor=actor, limit=CAP + 1), followup_url),
        }
    if allows(actor=actor, capability=PATIENT_LINKS):
        context["unsent_links"] = capped(link_selectors.links_unsent_for(actor=actor, limit=CAP + 1))
    if membership.is_front_desk and allows(actor=actor, capability=SUPERBILL):
        context["superbills"] = capped(treatment_selectors.superbills_between(actor=actor, start=start, end=end))
    if allows(actor=actor, capability=CLINIC_ADMINISTRATION):
        context |= {
            "locked": capped(accounts_locked_for(actor=actor)),
            "sharps": capped(sharps_incidents_open_for(actor=actor), reverse("sharps-list")),
        }
    return render(request, "today.html", context)
