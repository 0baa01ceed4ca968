"""The visit follows the needling session (issue 10): starting a session puts the patient's visit of
the day "in session" (arriving it first if the front desk had not), completing the session marks the
visit "done". The clinician need not click through the appointment book with gloves on.

The visit is the patient's appointment with the session's clinician on the clinic-local day the
session runs, for the session's episode or for no episode in particular, still open (booked or
arrived when the session starts, in session when it ends); the earliest one when there are several.
No such visit: nothing changes (walk-ins and sessions recorded after the fact are not refused).
Each move is audited as the book's own status changes are, marked `by: session`.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.scheduling import rules
from dryneedling.scheduling.models import Appointment
from dryneedling.scheduling.services import clinic_today
from dryneedling.treatment.models import Session

# What the session's step does to the visit: the statuses it moves from, and the path it takes.
_STEPS = {
    rules.IN_SESSION: ((rules.BOOKED, rules.ARRIVED), {rules.BOOKED: (rules.ARRIVED, rules.IN_SESSION)}),
    rules.DONE: ((rules.IN_SESSION,), {}),
}


@transaction.atomic
def visit_follow_session(*, actor: User, session: Session, status: str) -> Appointment | None:
    """Move the session's visit to `status` (in session or done); the visit moved, or None."""
    from_statuses, paths = _STEPS[status]
    start, end = rules.day_bounds(clinic_today(session.clinic), session.clinic.time_zone)
    visit = (
        Appointment.objects.for_record(session)
        .select_for_update()
        .filter(
            Q(episode__isnull=True) | Q(episode_id=session.episode_id),
            patient_id=session.patient_id,
            clinician_id=session.clinician_id,
            status__in=from_statuses,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .order_by("starts_at", "id")
        .first()
    )
    if visit is None:
        return None
    now = timezone.now()
    fields = {"status", "updated_at"}
    for step in paths.get(visit.status, (status,)):
        before, visit.status, visit.updated_at = visit.status, step, now
        if step == rules.ARRIVED:
            visit.arrived_at = now
            fields.add("arrived_at")
        audit_record(
            actor=actor,
            action="appointment.status",
            obj=visit,
            detail={"from": before, "to": step, "by": "session", "session": session.pk},
        )
    visit.save(update_fields=sorted(fields))
    return visit
