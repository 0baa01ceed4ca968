"""The clinic's course check-in schedule (issue 10): which of the supported points after the last
session of a course a clinic follows its patients up at.

The supported points are 1, 4 and 12 weeks: they sit inside the windows the evidence reports, which
run to 12 weeks after the last treatment (Sanchez-Infante 2021: 1-3 and 4-12 weeks; Gattie 2017:
immediately to 12 weeks; the source article's "benefit up to 12 weeks" simplifies these). A clinic
picks one or more of them. A change applies to courses completed from then on: check-ins already
scheduled are kept as they are (docs/decisions.md, "issue 10 — check-in schedule"). The 24-48 h
soreness check-in after each session is not part of the course schedule and always runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.followup.models import CheckIn, CheckInSchedule

# kind -> (days after the last session it falls due, days it stays open)
COURSE_CHECKS: dict[str, tuple[int, int]] = {
    CheckIn.Kind.WEEK_1: (7, 14),
    CheckIn.Kind.WEEK_4: (28, 14),
    CheckIn.Kind.WEEK_12: (84, 21),
}
COURSE_KINDS: tuple[str, ...] = tuple(COURSE_CHECKS)
SCHEDULE_SOURCES = ("sanchez_infante_2021", "gattie_2017", "source_article")
WEEKS = {CheckIn.Kind.WEEK_1: 1, CheckIn.Kind.WEEK_4: 4, CheckIn.Kind.WEEK_12: 12}


def course_kinds_of(*, clinic_id: int) -> tuple[str, ...]:
    """The course check-ins the clinic uses, in time order (all of them when it chose none)."""
    chosen = CheckInSchedule.objects.filter(clinic_id=clinic_id).values_list("kinds", flat=True).first()
    kinds = tuple(k for k in COURSE_KINDS if k in (chosen or ()))
    return kinds or COURSE_KINDS


def schedule_words(kinds: Iterable[str]) -> str:
    """'1, 4 and 12 weeks' for the kinds given."""
    numbers = [str(WEEKS[CheckIn.Kind(k)]) for k in kinds]
    listed = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    return f"{listed} week{'' if numbers == ['1'] else 's'}"


@transaction.atomic
def check_in_schedule_set(*, actor: User, kinds: Iterable[str]) -> CheckInSchedule:
    """Choose the clinic's course check-ins (a clinic admin only; at least one). Check-ins already
    scheduled do not change. Audited with the kinds before and after."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    wanted = set(kinds)
    unknown = sorted(wanted - set(COURSE_KINDS))
    if unknown:
        raise ValidationError({"kinds": f"Choose among {schedule_words(COURSE_KINDS)} after the course."})
    if not wanted:
        raise ValidationError({"kinds": "Choose at least one check-in: a course is always followed up."})
    before = course_kinds_of(clinic_id=membership.clinic_id)
    after = [k for k in COURSE_KINDS if k in wanted]
    schedule, _ = CheckInSchedule.objects.update_or_create(
        clinic_id=membership.clinic_id, defaults={"kinds": after, "updated_at": timezone.now()}
    )
    audit_record(
        actor=actor,
        action="clinic.check_in_schedule.set",
        clinic=membership.clinic,
        obj=schedule,
        detail={"before": list(before), "after": after},
    )
    return schedule
