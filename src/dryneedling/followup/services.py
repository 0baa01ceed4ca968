"""Writes of the follow-up loop: schedule, answer (by link), remind, alert, outcomes, home care."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts import zones
from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import PATIENT_LINKS, require
from dryneedling.clinical import soreness as soreness_rule
from dryneedling.followup import links, questions, soreness
from dryneedling.followup.deliveries import mask
from dryneedling.followup.links import LinkError
from dryneedling.followup.models import Alert, CheckIn, LinkDelivery, OutcomeRecord, PatientLink
from dryneedling.followup.outcome_rules import verdicts_for_new
from dryneedling.followup.schedule import COURSE_CHECKS, course_kinds_of
from dryneedling.patients.models import Episode, Patient
from dryneedling.patients.selectors import episode_get_for
from dryneedling.treatment.models import AdverseEvent, Session, Severity
from dryneedling.treatment.services.adverse import adverse_event_mark_resolved
from dryneedling.treatment.services.common import require_clinician

log = logging.getLogger(__name__)

# Check-in times anchored to the session date (dossier §13: soreness resolves within 24-48 h and is
# followed to 72 h, Navarro-Santana 2020, Martin-Pintado-Zugasti 2016; the evidence windows run to
# 12 weeks, Sanchez-Infante 2021, Gattie 2017). The soreness check-in's link takes the 24, 48 and
# 72 h readings (clinical/soreness.py) and closes when the 72 h window does. The course check-ins
# and the clinic's choice among them live in followup/schedule.py.
SORENESS_DUE = timedelta(hours=soreness_rule.PATIENT_HOURS[0])
SORENESS_OPEN = timedelta(hours=soreness_rule.LAST_HOURS)


def checkins_after_session(*, session: Session) -> CheckIn:
    """Schedule the 24-48 h soreness check-in of a completed session (idempotent)."""
    anchor = session.ended_at or session.started_at
    check_in, _ = CheckIn.objects.for_clinic(session.clinic_id).get_or_create(
        session=session,
        kind=CheckIn.Kind.SORENESS,
        defaults={
            "clinic": session.clinic,
            "patient": session.patient,
            "episode": session.episode,
            "due_at": anchor + SORENESS_DUE,
            "expires_at": anchor + SORENESS_OPEN,
        },
    )
    return check_in


@transaction.atomic
def course_complete(*, actor: User, episode: Episode) -> list[CheckIn]:
    """End the needling course: schedule the clinic's course check-ins (1, 4 and 12 weeks after
    its last session unless the clinic chose fewer, followup/schedule.py)."""
    require_clinician(actor)
    episode = episode_get_for(actor=actor, episode_id=episode.pk)
    last = (
        Session.objects.for_clinic(episode.clinic_id)
        .filter(episode=episode, status=Session.Status.COMPLETED)
        .order_by("-started_at")
        .first()
    )
    if last is None:
        raise ValidationError("No completed session in this episode: nothing to follow up yet.")
    if episode.course_completed_at is not None:
        raise ValidationError("The course of this episode is completed already.")
    episode.course_completed_at = timezone.now()
    episode.save(update_fields=["course_completed_at"])
    anchor = last.ended_at or last.started_at
    created = []
    for kind in course_kinds_of(clinic_id=episode.clinic_id):
        days, open_days = COURSE_CHECKS[kind]
        due = anchor + timedelta(days=days)
        check_in, _ = CheckIn.objects.for_clinic(episode.clinic_id).get_or_create(
            session=last,
            kind=kind,
            defaults={
                "clinic": episode.clinic,
                "patient": episode.patient,
                "episode": episode,
                "due_at": due,
                "expires_at": due + timedelta(days=open_days),
            },
        )
        created.append(check_in)
    audit_record(actor=actor, action="course.complete", obj=episode, detail={"check_ins": len(created)})
    return created


def checkin_link(check_in: CheckIn, *, actor: User | None = None) -> str:
    """The check-in's link (always the same one, until the clinic revokes it)."""
    return links.url_for(links.link_for(purpose=links.Purpose.CHECKIN, target=check_in, actor=actor))


def checkin_links(check_ins: list[CheckIn], *, actor: User | None = None) -> dict[int, str]:
    """The links of several check-ins, by check-in id, in a constant number of queries."""
    made = links.links_for(purpose=links.Purpose.CHECKIN, targets=check_ins, actor=actor)
    return {pk: links.url_for(link) for pk, link in made.items()}


def checkin_links_issue(*, actor: User, patient: Patient) -> dict[int, str]:
    """Issue the links of the patient's check-ins that have none yet (one read, one insert for the
    new ones), for the patient page to show and send; by check-in id."""
    require(actor=actor, capability=PATIENT_LINKS)
    check_ins = list(CheckIn.objects.for_actor(actor).filter(patient=patient).order_by("due_at", "id"))
    return checkin_links(check_ins, actor=actor)


def _outcomes(check_in: CheckIn, answers: dict[str, Any]) -> None:
    rows = questions.outcome_rows(answers)
    verdicts = verdicts_for_new(episode=check_in.episode, rows=[(instrument, value) for instrument, value, _ in rows])
    records = [
        OutcomeRecord(
            clinic=check_in.clinic,
            patient=check_in.patient,
            episode=check_in.episode,
            check_in=check_in,
            instrument_id=instrument,
            value=value,
            items=items,
            recorded_at=check_in.answered_at or timezone.now(),
            verdict=verdict,
        )
        for (instrument, value, items), verdict in zip(rows, verdicts, strict=True)
    ]
    # bulk_create calls no save(): the derived columns are set here, from the episode read under a row
    # lock, so a course ending at the same moment is either seen here or sees these scores.
    episode = Episode.objects.for_record(check_in).select_for_update().get(pk=check_in.episode_id)
    for record in records:
        record.derive(episode.course_completed_at)
    OutcomeRecord.objects.bulk_create(records)


RED_FLAG_SUBJECT = "dryneedling: a patient reported a red flag"


def _red_flag_recipients(check_in: CheckIn) -> list[str]:
    """The session's clinician and the clinic's alert address (if set), once each."""
    found = [check_in.session.clinician.email, check_in.clinic.alert_email]
    return list(dict.fromkeys(e for e in found if e))


def _red_flag_mail(recipients: list[str]) -> None:
    """No clinical detail and no patient: the mail only says where to look."""
    from django.urls import reverse

    link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("followup-list")
    body = (
        "A patient reported a red flag — open dryneedling.\n\n"
        f"{link}\n\n"
        "Sign in to see who and what, and acknowledge the alert once you have contacted the patient.\n"
    )
    try:
        send_mail(RED_FLAG_SUBJECT, body, None, recipients)
    except Exception:  # the alert is stored and shown on Today whatever the mail server does
        log.exception("red-flag mail not sent")


def _red_flag_raise(check_in: CheckIn, flags: list[str]) -> Alert | None:
    """Open a red-flag alert for the check-in, or add new flags to the one still open; mail the
    clinician and the clinic's alert address after the commit when a flag is new."""
    open_alert = (
        Alert.objects.for_clinic(check_in.clinic_id)
        .select_for_update()
        .filter(check_in=check_in, kind=Alert.Kind.RED_FLAG, acknowledged_at__isnull=True)
        .first()
    )
    if open_alert is not None:
        new = [f for f in flags if f not in open_alert.flags]
        if not new:
            return open_alert
        open_alert.flags = [*open_alert.flags, *new]
        open_alert.save(update_fields=["flags"])
        alert = open_alert
    else:
        alert = Alert.objects.create(
            clinic=check_in.clinic, patient=check_in.patient, kind=Alert.Kind.RED_FLAG, check_in=check_in, flags=flags
        )
        audit_record(
            actor=None, action="alert.create", clinic=check_in.clinic, obj=alert, detail={"kind": Alert.Kind.RED_FLAG}
        )
    recipients = _red_flag_recipients(check_in)
    if recipients:
        transaction.on_commit(lambda: _red_flag_mail(recipients))
    return alert


@transaction.atomic
def checkin_answer(*, token: str, raw: dict[str, Any]) -> CheckIn:
    """Store a patient's answers (single use). Red flags raise an alert in the same transaction
    and mail the clinic once it commits."""
    link = links.resolve(token, purpose=links.Purpose.CHECKIN)
    check_in = link.check_in
    if check_in is None:  # the table's constraint forbids it
        raise LinkError("invalid")
    if check_in.kind == CheckIn.Kind.SORENESS:
        return _soreness_answer(link, check_in, raw)
    try:
        answers, flags = questions.validate(check_in.kind, raw)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    claimed = (
        CheckIn.objects.for_clinic(check_in.clinic_id)
        .filter(pk=check_in.pk, answered_at__isnull=True)
        .update(answered_at=timezone.now(), answers=answers, red_flags=flags)
    )
    if claimed != 1:  # answered in another tab a moment ago
        raise LinkError("used")
    links.link_use(link)
    check_in.refresh_from_db()
    _outcomes(check_in, answers)
    audit_record(
        actor=None, action="check_in.answer", clinic=check_in.clinic, obj=check_in, detail={"via": "patient link"}
    )
    if flags:
        _red_flag_raise(check_in, flags)
    return check_in


def _soreness_answer(link: PatientLink, check_in: CheckIn, raw: dict[str, Any]) -> CheckIn:
    """A reading of the soreness link (issue 11): the one due now, else a refusal in words. The
    first answers the check-in (side effects, settled or not); a later one takes the score and any
    red flag. The link is spent once no reading is left to give."""
    message = soreness.refusal(check_in)
    if message:
        raise ValidationError(message)
    first = check_in.answered_at is None
    try:
        if first:
            answers, flags = questions.validate(check_in.kind, raw)
        else:
            answers = {"soreness": soreness_rule.check_score(raw.get("soreness")) if raw.get("soreness") else None}
            if answers["soreness"] is None:
                raise ValueError(f"{questions.FIELD_LABELS['soreness']}: please answer this question.")
            flags = questions.red_flags_of(raw)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    now = timezone.now()
    if first:
        claimed = (
            CheckIn.objects.for_clinic(check_in.clinic_id)
            .filter(pk=check_in.pk, answered_at__isnull=True)
            .update(answered_at=now, answers=answers, red_flags=flags)
        )
        if claimed != 1:  # answered in another tab a moment ago: this one is a later reading
            raise ValidationError("Your answers were sent a moment ago from another window.")
        check_in.refresh_from_db()
        _outcomes(check_in, answers)
        audit_record(
            actor=None, action="check_in.answer", clinic=check_in.clinic, obj=check_in, detail={"via": "patient link"}
        )
    soreness.reading_from_patient(check_in, score=answers["soreness"], now=now)
    if not soreness.link_open(check_in, now):
        links.link_use(link, now=now)
    if flags:
        if not first:
            check_in.red_flags = list(dict.fromkeys([*check_in.red_flags, *flags]))
            check_in.save(update_fields=["red_flags"])
        _red_flag_raise(check_in, flags)
    return check_in


@transaction.atomic
def checkin_red_flag(*, token: str, flags: list[str]) -> Alert | None:
    """A red flag ticked on a check-in the patient could not finish (other answers missing or
    wrong): nothing else is stored and the link stays open, but the alert is raised and mailed
    now. The same flags sent again raise nothing new."""
    link = links.resolve(token, purpose=links.Purpose.CHECKIN)
    check_in = link.check_in
    known = {key for key, _ in questions.RED_FLAGS}
    flags = [f for f in dict.fromkeys(flags) if f in known]
    if check_in is None or not flags:
        return None
    return _red_flag_raise(check_in, flags)


def send_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Email the check-in reminders that are due. Safe to run from cron every minute, and
    concurrently: each reminder is claimed with a compare-and-set before it is sent, so it is sent
    once. Each is recorded as a sending of the check-in's link (by the job: no sender)."""
    now = now or timezone.now()
    candidates = list(
        CheckIn.unscoped.filter(  # the reminder job runs across clinics
            reminder_sent_at__isnull=True, answered_at__isnull=True, due_at__lte=now, expires_at__gt=now
        )
        .exclude(patient__email="")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in candidates:
        with transaction.atomic():
            if CheckIn.unscoped.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now) != 1:
                continue  # another runner claimed it
            check_in = CheckIn.unscoped.select_related("patient", "clinic").get(pk=pk)
            link = links.link_for(purpose=links.Purpose.CHECKIN, target=check_in)
            context = {"check_in": check_in, "link": links.url_for(link), "clinic": check_in.clinic}
            send_mail(
                subject=f"{check_in.clinic.name}: how are you after dry needling?",
                message=zones.render_in_zone_of(check_in.clinic, "followup/email_reminder.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[check_in.patient.email],
            )
            LinkDelivery.objects.create(  # the patient page shows it; Today's "links to send" drops it
                clinic=check_in.clinic,
                patient=check_in.patient,
                kind=LinkDelivery.Kind.CHECKIN,
                link=link,
                channel=LinkDelivery.Channel.EMAIL,
                to_masked=mask(LinkDelivery.Channel.EMAIL, check_in.patient.email),
                status=LinkDelivery.Status.SENT,
                sent_at=now,
            )
            audit_record(actor=None, action="check_in.remind", clinic=check_in.clinic, obj=check_in)
            sent += 1
    return sent


@transaction.atomic
def alert_for_side_effect(*, actor: User, event: AdverseEvent) -> Alert | None:
    """Open the follow-up of a serious side effect (None for a milder one). It stays open, and
    blocks the patient's next session, until a clinician resolves it with what was done."""
    if event.severity != Severity.SERIOUS:
        return None
    alert = Alert.objects.create(
        clinic=event.clinic, patient=event.patient, kind=Alert.Kind.SERIOUS_SIDE_EFFECT, adverse_event=event
    )
    audit_record(
        actor=actor,
        action="alert.create",
        obj=alert,
        detail={"kind": Alert.Kind.SERIOUS_SIDE_EFFECT, "adverse_event_id": event.pk},
    )
    return alert


@transaction.atomic
def alert_acknowledge(*, actor: User, alert_id: int, resolution: str = "") -> Alert:
    """Close an alert: a red flag when the clinician has contacted the patient (a note is optional),
    a serious side effect's follow-up with what was done (5-1000 characters), which also marks
    the side effect resolved."""
    require_clinician(actor)
    alert = Alert.objects.for_actor(actor).select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise ValidationError("No such open alert.")
    if alert.acknowledged_at is not None:
        raise ValidationError("This follow-up is closed already.")
    resolution = resolution.strip()
    if alert.kind == Alert.Kind.SERIOUS_SIDE_EFFECT and not 5 <= len(resolution) <= 1000:
        raise ValidationError({"resolution": "Say how it was resolved (5-1000 characters)."})
    if len(resolution) > 1000:
        raise ValidationError({"resolution": "At most 1000 characters."})
    alert.acknowledged_at, alert.acknowledged_by, alert.resolution = timezone.now(), actor, resolution
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "resolution"])
    if alert.adverse_event is not None:
        adverse_event_mark_resolved(event=alert.adverse_event, at=alert.acknowledged_at)
    audit_record(actor=actor, action="alert.acknowledge", obj=alert, detail={"kind": alert.kind})
    return alert


@transaction.atomic
def outcome_record(
    *,
    actor: User,
    episode: Episode,
    instrument_id: str,
    total: float | None = None,
    items: list[int | None] | None = None,
) -> OutcomeRecord:
    """A score the clinician enters (licensed instruments: the total only)."""
    from dryneedling.clinical.instruments import score

    require_clinician(actor)
    episode = episode_get_for(actor=actor, episode_id=episode.pk)
    try:
        result = score(instrument_id=instrument_id, items=items, total=total)
    except (ValueError, KeyError) as error:
        raise ValidationError({"total": str(error).strip("'")}) from None
    (verdict,) = verdicts_for_new(episode=episode, rows=[(instrument_id, result.value)])
    record = OutcomeRecord.objects.create(
        clinic=episode.clinic,
        patient=episode.patient,
        episode=episode,
        instrument_id=instrument_id,
        value=result.value,
        items=items,
        entered_by=actor,
        verdict=verdict,
    )
    audit_record(actor=actor, action="outcome.create", obj=record, detail={"instrument": instrument_id})
    return record
