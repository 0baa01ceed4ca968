"""Reads of the follow-up loop, scoped to the actor's clinic.

Check-in answers, outcomes, home-care plans, alerts and maintenance reviews are clinical: read by
clinicians only. Front desk reads the check-in *schedule* (`checkin_schedule_for`: due dates, links,
whether answered), which holds no answers and no red flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import FloatField, Func, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from dryneedling.accounts import zones
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINICAL, PATIENT_LINKS, require
from dryneedling.followup import links
from dryneedling.followup.models import Alert, CheckIn, HomeCarePlan, OutcomeRecord, SorenessReading
from dryneedling.patients.models import Episode, Patient
from dryneedling.patients.selectors import deny, get_or_deny

STATUSES = ("due", "overdue", "answered", "red_flag", "upcoming", "expired")


def alert_get_for(*, actor: User, alert_id: int) -> Alert:
    """An alert of the actor's clinic; another clinic's (or no) id is a recorded denial (404)."""
    require(actor=actor, capability=CLINICAL)
    alert = Alert.objects.for_actor(actor).filter(pk=alert_id).first()
    if alert is None:
        raise deny(actor=actor, object_type="alert", object_id=alert_id, model=Alert)
    return alert


def checkin_status(check_in: CheckIn) -> str:
    now = timezone.now()
    if check_in.answered_at is not None:
        return "red_flag" if check_in.red_flags else "answered"
    if now > check_in.expires_at:
        return "expired"
    if now < check_in.due_at:
        return "upcoming"
    return "overdue" if now > check_in.due_at + (check_in.expires_at - check_in.due_at) / 2 else "due"


def outcome_instrument_choices() -> list[tuple[str, str]]:
    """Scores a clinician can enter as a total, labelled with the range and unit the engine expects."""
    from dryneedling.clinical.instruments import get_instruments

    return [
        (i.id, f"{i.name} ({i.total_range[0]:g} to {i.total_range[1]:g} {i.unit})")
        for i in get_instruments().values()
        if i.kind != "change"
    ]


def _status_condition(status: str, now: datetime) -> Q:
    """The check-ins `checkin_status` calls `status`, as a query condition (issue 14: the list
    filters in SQL, so a page reads its rows and no more). Overdue: past the middle of the window."""
    if status in ("answered", "red_flag"):
        flagged = ~Q(red_flags=[])
        return Q(answered_at__isnull=False) & (flagged if status == "red_flag" else ~flagged)
    unanswered = Q(answered_at__isnull=True)
    if status == "expired":
        return unanswered & Q(expires_at__lt=now)
    if status == "upcoming":
        return unanswered & Q(due_at__gt=now)
    window = unanswered & Q(due_at__lte=now, expires_at__gte=now)
    # now past the middle of [due, expires]  <=>  due + expires < 2 * now, in seconds
    twice_now = 2 * now.timestamp()
    return window & (Q(due_plus_expires__lt=twice_now) if status == "overdue" else Q(due_plus_expires__gte=twice_now))


class _Epoch(Func):
    """Seconds since 1970 of a stored time, on SQLite (julianday) and PostgreSQL (EXTRACT):
    Django's date arithmetic on SQLite compares text, so the list's due/overdue split uses this."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)")

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float")


def followup_list_for(*, actor: User, status: str = "") -> QuerySet[CheckIn]:
    """Check-ins of the last 120 days and the next 14 (of one status, if given), newest due first;
    `checkin_status` names each row's status. The (clinic, due_at) index serves the order."""
    require(actor=actor, capability=CLINICAL)
    now = timezone.now()
    rows = (
        CheckIn.objects.for_actor(actor)
        .filter(due_at__gte=now - timedelta(days=120), due_at__lte=now + timedelta(days=14))
        .select_related("patient")
        .order_by("-due_at", "-id")
    )
    if status in ("due", "overdue"):
        rows = rows.alias(due_plus_expires=_Epoch("due_at") + _Epoch("expires_at"))
    return rows.filter(_status_condition(status, now)) if status in STATUSES else rows


def alerts_open_for(*, actor: User, kind: str) -> QuerySet[Alert]:
    """The clinic's open alerts of one kind, oldest first (red flags on the follow-up page, serious
    side effects on the clinic dashboard)."""
    require(actor=actor, capability=CLINICAL)
    return (
        Alert.objects.for_actor(actor)
        .filter(kind=kind, acknowledged_at__isnull=True)
        .select_related("patient", "check_in", "adverse_event", "adverse_event__session")
        .order_by("created_at", "id")
    )


def open_side_effect_alerts_for(*, actor: User, patient: Patient) -> list[Alert]:
    """Serious side effects of the patient whose follow-up no clinician has resolved yet."""
    require(actor=actor, capability=CLINICAL)
    return list(
        Alert.objects.for_actor(actor)
        .filter(
            patient=patient,
            kind=Alert.Kind.SERIOUS_SIDE_EFFECT,
            acknowledged_at__isnull=True,
        )
        .select_related("adverse_event")
        .order_by("created_at", "id")
    )


def side_effects_followed_up_open(*, actor: User, session_id: int) -> set[int]:
    """Ids of the session's side effects whose follow-up is still open (the workspace's badge)."""
    return set(
        Alert.objects.for_actor(actor)
        .filter(adverse_event__session_id=session_id, acknowledged_at__isnull=True)
        .values_list("adverse_event_id", flat=True)
    )


def outcomes_for_episode(*, actor: User, episode: Episode) -> QuerySet[OutcomeRecord]:
    require(actor=actor, capability=CLINICAL)
    return OutcomeRecord.objects.for_actor(actor).filter(episode=episode).order_by("recorded_at", "id")


def checkins_for_patient(*, actor: User, patient: Patient) -> QuerySet[CheckIn]:
    require(actor=actor, capability=CLINICAL)
    return CheckIn.objects.for_actor(actor).filter(patient=patient).order_by("due_at", "id")


def home_care_plan_for(*, actor: User, episode: Episode) -> HomeCarePlan | None:
    require(actor=actor, capability=CLINICAL)
    return HomeCarePlan.objects.for_actor(actor).filter(episode=episode).first()


def checkins_for(*, actor: User) -> QuerySet[CheckIn]:
    """The clinic's check-ins with their answers (the API's list); clinicians only."""
    require(actor=actor, capability=CLINICAL)
    return CheckIn.objects.for_actor(actor)


def checkin_get_for(*, actor: User, check_in_id: int) -> CheckIn:
    return get_or_deny(checkins_for(actor=actor), actor=actor, pk=check_in_id, object_type="check_in")


def outcomes_for(*, actor: User) -> QuerySet[OutcomeRecord]:
    """The clinic's scores (the API's list); clinicians only."""
    require(actor=actor, capability=CLINICAL)
    return OutcomeRecord.objects.for_actor(actor)


def outcome_get_for(*, actor: User, outcome_id: int) -> OutcomeRecord:
    return get_or_deny(outcomes_for(actor=actor), actor=actor, pk=outcome_id, object_type="outcome")


def home_care_plans_for(*, actor: User) -> QuerySet[HomeCarePlan]:
    """The clinic's home-care plans (the API's list); clinicians only."""
    require(actor=actor, capability=CLINICAL)
    return HomeCarePlan.objects.for_actor(actor)


def home_care_plan_get_for(*, actor: User, plan_id: int) -> HomeCarePlan:
    return get_or_deny(home_care_plans_for(actor=actor), actor=actor, pk=plan_id, object_type="home_care_plan")


@dataclass(frozen=True)
class ScheduledCheckIn:
    """A check-in as the front desk sees it: when, which, whether answered, and its link."""

    due_at: datetime
    kind_label: str
    status: str  # due, overdue, upcoming, answered, expired; "red_flag" for clinicians only
    link: str  # the patient's link
    check_in: CheckIn | None  # the record with its answers: clinicians only
    check_in_id: int = 0  # to send its link


def checkin_schedule_for(*, actor: User, patient: Patient) -> list[ScheduledCheckIn]:
    """The patient's check-ins for sending links. Clinicians get the records with their answers
    (status "red_flag" included); front desk gets dates, kinds and statuses only. Each row's link
    is the check-in's current one ("" before one is issued): a selector writes nothing."""
    membership = require(actor=actor, capability=PATIENT_LINKS)
    clinical = membership.has_role(*CLINICAL.roles)
    check_ins = list(CheckIn.objects.for_actor(actor).filter(patient=patient).order_by("due_at", "id"))
    # Read only: the view issues the missing links first (followup.services.checkin_links_issue).
    current = links.current_links(purpose=links.Purpose.CHECKIN, targets=check_ins)
    rows = []
    for check_in in check_ins:
        status = checkin_status(check_in)
        rows.append(
            ScheduledCheckIn(
                due_at=check_in.due_at,
                kind_label=check_in.get_kind_display(),
                status=status if clinical or status != "red_flag" else "answered",
                link=links.url_for(current[check_in.pk]) if check_in.pk in current else "",
                check_in=check_in if clinical else None,
                check_in_id=check_in.pk,
            )
        )
    return rows


@dataclass(frozen=True)
class ReviewDue:
    episode: Episode
    reason: str


def maintenance_due_episodes(*, actor: User) -> QuerySet[Episode]:
    """Episodes whose course ended and whose pain rose back above the clinic's threshold at a
    follow-up, or whose course ended 12 weeks ago or more (the evidence window; Gattie 2017,
    Sanchez-Infante 2021), oldest course first. One query: the latest NPRS score since the course
    ended is a subquery; the (clinic, status, course_completed_at) index serves the order, so a
    page of the oldest reads no further than it needs (issue 14)."""
    clinic = require(actor=actor, capability=CLINICAL).clinic
    since_course = (
        OutcomeRecord.objects.for_clinic(clinic)
        .filter(instrument_id="nprs", episode=OuterRef("pk"), recorded_at__gte=OuterRef("course_completed_at"))
        .order_by("-recorded_at", "-id")
    )
    return (
        Episode.objects.for_clinic(clinic)
        .filter(course_completed_at__isnull=False, status="active")
        .annotate(
            pain_value=Subquery(since_course.values("value")[:1]),
            pain_at=Subquery(since_course.values("recorded_at")[:1]),
        )
        # The 12 weeks first: the oldest courses match without their subquery being run.
        .filter(
            Q(course_completed_at__lte=timezone.now() - timedelta(weeks=12))
            | Q(pain_value__gt=clinic.maintenance_pain_threshold)
        )
        .select_related("patient")
        .order_by("course_completed_at", "id")
    )


def maintenance_reasons(*, actor: User, episodes: list[Episode]) -> list[ReviewDue]:
    """Each due episode (of `maintenance_due_episodes`) with the reason it is due, in words."""
    clinic = require(actor=actor, capability=CLINICAL).clinic
    threshold = clinic.maintenance_pain_threshold
    due = []
    for episode in episodes:
        value, at = episode.pain_value, episode.pain_at  # type: ignore[attr-defined]
        if value is not None and value > threshold:
            reason = (
                f"Pain {value:g}/10 at follow-up on {zones.local(at, clinic):%Y-%m-%d}, above the clinic's "
                f"threshold of {threshold}."
            )
        else:
            ended = episode.course_completed_at or timezone.now()  # never None: the query's filter
            reason = (
                f"12 weeks since the course ended ({zones.local(ended, clinic):%Y-%m-%d}): "
                "the benefit shown in studies lasts up to about 12 weeks (Gattie 2017; Sanchez-Infante 2021)."
            )
        due.append(ReviewDue(episode, reason))
    return due


def maintenance_due_for(*, actor: User, limit: int = 500) -> list[ReviewDue]:
    """The first `limit` episodes due for a maintenance review, with their reasons."""
    episodes = list(maintenance_due_episodes(actor=actor)[:limit])
    return maintenance_reasons(actor=actor, episodes=episodes)


def followup_counts(*, clinic_id: int) -> dict[str, object]:
    """Counts of the follow-up loop of one clinic (for `dryneedling stats`; no patient data)."""
    check_ins = CheckIn.objects.for_clinic(clinic_id)
    total = check_ins.count()
    answered = check_ins.filter(answered_at__isnull=False).count()
    open_alerts = Alert.objects.for_clinic(clinic_id).filter(acknowledged_at__isnull=True)
    return {
        "check_ins": total,
        "check_ins_answered_percent": round(100 * answered / total, 1) if total else 0.0,
        "open_alerts": open_alerts.filter(kind=Alert.Kind.RED_FLAG).count(),
        "open_followup_tasks": open_alerts.filter(kind=Alert.Kind.SERIOUS_SIDE_EFFECT).count(),
        "outcome_records": OutcomeRecord.objects.for_clinic(clinic_id).count(),
        "home_care_plans": HomeCarePlan.objects.for_clinic(clinic_id).count(),
    }


# --- Today (issue 10) -----------------------------------------------------------------------------
RED_FLAG_BADGE_CAP = 99  # the badge says "99+" past it


def red_flags_open_count(*, clinic_id: int, cap: int = RED_FLAG_BADGE_CAP) -> int:
    """Open red-flag alerts of one clinic, counted up to `cap` + 1 (the navigation's badge: one
    bounded COUNT, for clinicians, on every page: it reads at most `cap` + 1 rows however many
    flags are open, issue 14)."""
    open_flags = Alert.objects.for_clinic(clinic_id).filter(kind=Alert.Kind.RED_FLAG, acknowledged_at__isnull=True)
    return open_flags.order_by()[: cap + 1].count()


def checkins_overdue_for(*, actor: User, limit: int = 500) -> list[CheckIn]:
    """Unanswered check-ins past the middle of their window and not yet expired, oldest due first
    (the status the follow-up list calls "overdue"), at most `limit`. One query, flat in the
    clinic's size (issue 14): for each kind, the first `limit` overdue ones in due order, read from
    the unanswered check-ins' (clinic, kind, due_at, expires_at) index from that kind's longest
    window (`CheckIn.OPEN_WINDOWS`) on, so neither the expired check-ins of the years nor those of
    a kind with a short window are walked; then the oldest `limit` of these, with their patients."""
    require(actor=actor, capability=CLINICAL)
    now = timezone.now()
    scoped = CheckIn.objects.for_actor(actor)
    firsts = [
        scoped.filter(pk__in=_overdue_of_kind(scoped, kind, window, now)[:limit]).order_by().values("pk")
        for kind, window in CheckIn.OPEN_WINDOWS.items()
    ]
    first, *others = firsts
    # By key, sorted here: with an ORDER BY, SQLite without statistics walked the clinic's due-date index.
    rows = scoped.filter(pk__in=first.union(*others, all=True)).select_related("patient").order_by()
    return sorted(rows, key=lambda c: (c.due_at, c.pk))[:limit]


def _overdue_of_kind(scoped: QuerySet[CheckIn], kind: str, window: timedelta, now: datetime) -> QuerySet[Any]:
    return (
        scoped.filter(kind=kind, answered_at__isnull=True, due_at__gt=now - window, due_at__lte=now, expires_at__gt=now)
        .alias(due_plus_expires=_Epoch("due_at") + _Epoch("expires_at"))
        .filter(due_plus_expires__lt=2 * now.timestamp())  # past the middle of [due, expires]
        .order_by("due_at", "id")
        .values("pk")
    )


@dataclass(frozen=True)
class SorenessTrend:
    """A session's soreness readings (issue 11), by hours after it, and the trend in words."""

    session_id: int
    session_date: datetime
    readings: list[SorenessReading]
    words: str


def soreness_trends_for(*, actor: User, patient: Patient, session_ids: list[int] | None = None) -> list[SorenessTrend]:
    """The soreness trend of each of the patient's sessions that has readings, newest first (the
    sessions given only, when `session_ids` is set). One read."""
    from dryneedling.clinical import soreness as rule

    require(actor=actor, capability=CLINICAL)
    readings = SorenessReading.objects.for_actor(actor).filter(patient=patient).select_related("session")
    if session_ids is not None:
        readings = readings.filter(session_id__in=session_ids)
    by_session: dict[int, list[SorenessReading]] = {}
    for reading in readings.order_by("-session__started_at", "session_id", "hours"):
        by_session.setdefault(reading.session_id, []).append(reading)
    return [
        SorenessTrend(
            session_id=session_id,
            session_date=rows[0].session.started_at,
            readings=rows,
            words=rule.trend_words({r.hours: r.score for r in rows}),
        )
        for session_id, rows in by_session.items()
    ]
