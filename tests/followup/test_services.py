"""Services of the follow-up loop: scheduling check-ins, maintenance review, reminder emails.

Helpers here (`screened_patient`, `complete_session`) are shared with test_links_and_pages.py.
"""

# ruff: noqa: F811
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.intake.test_screening_records import NO_FLAGS
from tests.treatment.conftest import (  # noqa: F401  (fixtures)
    CHECKLIST,
    ensure_trained,
    episode_a,
    finish,
    ready_episode,
    record,
    start_session,
)


def screened_patient(actor, mrn: str, given: str, family: str, *, email: str = ""):  # type: ignore[no-untyped-def]
    """A patient of the actor's clinic, screened and consented, with one active coded episode."""
    from dryneedling.intake.services import screening_record
    from dryneedling.patients.services import episode_create, patient_create
    from dryneedling.treatment.services.chart import consent_record, optional_consent_items

    patient = patient_create(
        actor=actor,
        mrn=mrn,
        given_name=given,
        family_name=family,
        date_of_birth=date(1975, 3, 2),
        sex="male",
        email=email,
    )
    episode = episode_create(
        actor=actor,
        patient=patient,
        conditions=[("M54.2", "Cervicalgia")],
        reason="Stiff neck",
        referral_source="self",
        start_date=date(2026, 1, 5),
        end_date=None,
        status="active",
    )
    ensure_trained(actor)
    screening_record(actor=actor, patient=patient, answers=NO_FLAGS)
    consent_record(
        actor=actor, patient=patient, signed_name=f"{given} {family}", optional_items=optional_consent_items()
    )
    return patient, episode


def complete_session(actor, episode, *, ended_ago: timedelta | None = None):  # type: ignore[no-untyped-def]
    """Start, needle once and complete a session of the episode; optionally move it into the past."""
    from dryneedling.treatment.models import Session

    session = start_session(actor, episode)
    record(actor, session)
    session.refresh_from_db()
    finish(actor, session)
    if ended_ago is not None:
        ended = timezone.now() - ended_ago
        Session.unscoped.filter(pk=session.pk).update(started_at=ended - timedelta(minutes=30), ended_at=ended)
    session.refresh_from_db()
    return session


def complete_session_hours_ago(actor, episode, hours: float = 24):  # type: ignore[no-untyped-def]
    """A session completed `hours` ago, its soreness check-in moved back with it: the patient's
    soreness link then asks for the reading due at that time (24 h by default; issue 11)."""
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import SORENESS_DUE, SORENESS_OPEN

    session = complete_session(actor, episode, ended_ago=timedelta(hours=hours))
    CheckIn.unscoped.filter(session=session, kind="soreness").update(
        due_at=session.ended_at + SORENESS_DUE, expires_at=session.ended_at + SORENESS_OPEN
    )
    return session


def move_session_back(session_id: int, hours: float) -> None:
    """Move a completed session `hours` further into the past (its check-ins' dates stay)."""
    from django.db.models import F

    from dryneedling.treatment.models import Session

    back = timedelta(hours=hours)
    Session.unscoped.filter(pk=session_id).update(started_at=F("started_at") - back, ended_at=F("ended_at") - back)


# ---- scheduling -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_completing_a_session_schedules_the_soreness_check_in(alice, ready_episode):
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import checkins_after_session

    session = complete_session(alice, ready_episode)
    check_in = CheckIn.unscoped.get()
    assert (check_in.session_id, check_in.kind) == (session.pk, "soreness")
    assert (check_in.clinic_id, check_in.patient_id, check_in.episode_id) == (
        session.clinic_id,
        session.patient_id,
        ready_episode.pk,
    )
    assert check_in.due_at == session.ended_at + timedelta(hours=24)
    assert check_in.expires_at == session.ended_at + timedelta(hours=78)  # the 72 h reading's window closes
    assert check_in.answered_at is None and check_in.reminder_sent_at is None
    # Idempotent: scheduling again keeps the one check-in.
    assert checkins_after_session(session=session).pk == check_in.pk
    assert CheckIn.unscoped.count() == 1


@pytest.mark.django_db
def test_an_in_progress_session_schedules_nothing(alice, ready_episode):
    from dryneedling.followup.models import CheckIn

    session = start_session(alice, ready_episode)
    record(alice, session)
    assert CheckIn.unscoped.count() == 0


@pytest.mark.django_db
def test_course_complete_schedules_weeks_1_4_12_after_the_last_session(alice, ready_episode):
    from dryneedling.accounts.models import AuditEvent
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import course_complete

    earlier = complete_session(alice, ready_episode, ended_ago=timedelta(days=10))
    last = complete_session(alice, ready_episode, ended_ago=timedelta(days=3))
    before = timezone.now()
    created = course_complete(actor=alice, episode=ready_episode)

    assert [c.kind for c in created] == ["week_1", "week_4", "week_12"]
    expected = {"week_1": (7, 21), "week_4": (28, 42), "week_12": (84, 105)}
    for check_in in created:
        check_in.refresh_from_db()
        due_days, expiry_days = expected[check_in.kind]
        assert check_in.session_id == last.pk, "anchored to the last session, not the first"
        assert check_in.due_at == last.ended_at + timedelta(days=due_days)
        assert check_in.expires_at == last.ended_at + timedelta(days=expiry_days)
        assert check_in.patient_id == ready_episode.patient_id and check_in.episode_id == ready_episode.pk
    assert not CheckIn.unscoped.filter(session=earlier).exclude(kind="soreness").exists()
    ready_episode.refresh_from_db()
    assert ready_episode.course_completed_at is not None and ready_episode.course_completed_at >= before
    assert AuditEvent.objects.filter(action="course.complete", object_id=str(ready_episode.pk)).count() == 1

    # Twice is refused, and schedules nothing more.
    with pytest.raises(ValidationError, match="completed already"):
        course_complete(actor=alice, episode=ready_episode)
    assert CheckIn.unscoped.exclude(kind="soreness").count() == 3
    assert AuditEvent.objects.filter(action="course.complete").count() == 1


@pytest.mark.django_db
def test_course_complete_needs_a_completed_session(alice, ready_episode):
    from dryneedling.care.session import session_start
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import course_complete

    with pytest.raises(ValidationError, match="No completed session"):
        course_complete(actor=alice, episode=ready_episode)
    # A session still in progress does not count either.
    session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")
    with pytest.raises(ValidationError, match="No completed session"):
        course_complete(actor=alice, episode=ready_episode)
    ready_episode.refresh_from_db()
    assert ready_episode.course_completed_at is None
    assert CheckIn.unscoped.count() == 0


@pytest.mark.django_db
def test_course_complete_is_for_clinicians_of_the_clinic(alice, bob, carol, ready_episode):
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import course_complete

    complete_session(alice, ready_episode)
    with pytest.raises(PermissionDenied):
        course_complete(actor=bob, episode=ready_episode)
    with pytest.raises((Http404, PermissionDenied)):
        course_complete(actor=carol, episode=ready_episode)
    ready_episode.refresh_from_db()
    assert ready_episode.course_completed_at is None
    assert CheckIn.unscoped.exclude(kind="soreness").count() == 0


# ---- maintenance review -----------------------------------------------------------------------
def _pain(episode, value: float, when):  # type: ignore[no-untyped-def]
    from dryneedling.followup.models import OutcomeRecord

    return OutcomeRecord.unscoped.create(
        clinic=episode.clinic,
        patient=episode.patient,
        episode=episode,
        instrument_id="nprs",
        value=value,
        recorded_at=when,
    )


def _course_ended(episode, ago: timedelta):  # type: ignore[no-untyped-def]
    from dryneedling.patients.models import Episode

    Episode.unscoped.filter(pk=episode.pk).update(course_completed_at=timezone.now() - ago)
    episode.refresh_from_db()
    return episode


@pytest.mark.django_db
def test_maintenance_review_lists_pain_above_threshold_and_courses_12_weeks_old(alice, carol, clinic_a):
    from dryneedling.followup.selectors import maintenance_due_for

    now = timezone.now()
    assert clinic_a.maintenance_pain_threshold == 4
    _, high = screened_patient(alice, "M-1", "Hana", "High")
    _, old = screened_patient(alice, "M-2", "Otto", "Old")
    _, low = screened_patient(alice, "M-3", "Lena", "Low")
    _, at_threshold = screened_patient(alice, "M-4", "Tara", "Threshold")
    _, settled = screened_patient(alice, "M-5", "Sam", "Settled")
    _, ongoing = screened_patient(alice, "M-6", "Ida", "Ongoing")
    _, baseline_only = screened_patient(alice, "M-7", "Bea", "Baseline")
    _, on_hold = screened_patient(alice, "M-8", "Hal", "Hold")
    _, b_episode = screened_patient(carol, "B-1", "Bruno", "Other")

    _course_ended(high, timedelta(weeks=2))
    _pain(high, 6, now - timedelta(days=1))  # follow-up pain above 4: due
    _course_ended(old, timedelta(weeks=12, hours=1))  # 12 weeks since the course ended: due
    _course_ended(low, timedelta(weeks=2))
    _pain(low, 3, now - timedelta(days=1))
    _course_ended(at_threshold, timedelta(weeks=2))
    _pain(at_threshold, 4, now - timedelta(days=1))  # equal to the threshold: not above it
    _course_ended(settled, timedelta(weeks=3))
    _pain(settled, 8, now - timedelta(days=10))
    _pain(settled, 2, now - timedelta(days=2))  # the latest score counts
    _pain(ongoing, 9, now - timedelta(days=1))  # course not completed: not due
    _course_ended(baseline_only, timedelta(weeks=2))
    _pain(baseline_only, 8, now - timedelta(weeks=6))  # before the course ended: not a follow-up
    _course_ended(on_hold, timedelta(weeks=20))
    type(on_hold).unscoped.filter(pk=on_hold.pk).update(status="on_hold")
    _course_ended(b_episode, timedelta(weeks=20))
    _pain(b_episode, 9, now - timedelta(days=1))

    due = {r.episode.pk: r.reason for r in maintenance_due_for(actor=alice)}
    assert set(due) == {high.pk, old.pk}, due
    assert due[high.pk].startswith("Pain 6/10 at follow-up") and "threshold of 4" in due[high.pk]
    assert due[old.pk].startswith("12 weeks since the course ended")

    # Clinic B sees only its own episode.
    assert [r.episode.pk for r in maintenance_due_for(actor=carol)] == [b_episode.pk]

    # A lower threshold brings the low-pain episode in (3 > 2) and keeps the others out.
    clinic_a.maintenance_pain_threshold = 2
    clinic_a.save(update_fields=["maintenance_pain_threshold"])
    due = {r.episode.pk for r in maintenance_due_for(actor=alice)}
    assert due == {high.pk, old.pk, low.pk, at_threshold.pk}


@pytest.mark.django_db
def test_a_course_ended_just_under_12_weeks_ago_is_not_due(alice):
    from dryneedling.followup.selectors import maintenance_due_for

    _, episode = screened_patient(alice, "M-9", "Una", "Under")
    _course_ended(episode, timedelta(weeks=12) - timedelta(hours=1))
    assert maintenance_due_for(actor=alice) == []
    _course_ended(episode, timedelta(weeks=12) + timedelta(minutes=1))
    assert [r.episode.pk for r in maintenance_due_for(actor=alice)] == [episode.pk]


# ---- reminders ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_send_due_emails_only_due_unanswered_unexpired_check_ins_with_an_email(alice, mailoutbox, settings):
    from dryneedling.accounts.models import AuditEvent
    from dryneedling.followup.links import resolve
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import checkin_link, send_due

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = timezone.now().replace(microsecond=0)
    wendy, wendy_episode = screened_patient(alice, "E-1", "Wendy", "Walsh", email="wendy@example.test")
    xavier, xavier_episode = screened_patient(alice, "E-2", "Xavier", "Xu", email="xavier@example.test")
    yara, yara_episode = screened_patient(alice, "E-3", "Yara", "Young")  # no email
    wendy_session = complete_session(alice, wendy_episode)
    xavier_session = complete_session(alice, xavier_episode)
    yara_session = complete_session(alice, yara_episode)
    CheckIn.unscoped.all().delete()  # the soreness check-ins of today's sessions: rebuilt below

    def make(session, kind: str, *, due: timedelta, expires: timedelta, **extra):  # type: ignore[no-untyped-def]
        return CheckIn.unscoped.create(
            clinic=session.clinic,
            patient=session.patient,
            episode=session.episode,
            session=session,
            kind=kind,
            due_at=now + due,
            expires_at=now + expires,
            **extra,
        )

    hour, day = timedelta(hours=1), timedelta(days=1)
    due_wendy = make(wendy_session, "soreness", due=-hour, expires=2 * day)
    due_xavier = make(xavier_session, "week_1", due=-day, expires=day)
    make(wendy_session, "week_1", due=hour, expires=2 * day)  # not due yet
    make(wendy_session, "week_4", due=-day, expires=day, answered_at=now - hour, answers={})  # answered
    make(wendy_session, "week_12", due=-3 * day, expires=-hour)  # expired
    make(xavier_session, "soreness", due=-day, expires=day, reminder_sent_at=now - day)  # reminded already
    make(yara_session, "soreness", due=-hour, expires=day)  # no email address

    assert send_due(now=now) == 2
    assert len(mailoutbox) == 2
    by_recipient = {tuple(m.to): m for m in mailoutbox}
    assert set(by_recipient) == {("wendy@example.test",), ("xavier@example.test",)}

    for check_in, patient, others in (
        (due_wendy, wendy, (xavier, yara)),
        (due_xavier, xavier, (wendy, yara)),
    ):
        message = by_recipient[(patient.email,)]
        link = checkin_link(check_in)
        assert link in message.body
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert resolve(token, purpose="checkin").target == check_in
        assert message.subject == "Clinic A: how are you after dry needling?"
        assert f"Hello {patient.given_name}," in message.body
        assert "emergency services" in message.body
        # The link's random token may contain any short name by chance: look at the text around it.
        text = (message.subject + message.body + " ".join(message.to)).replace(link, " ")
        for other in others:
            for value in (other.given_name, other.family_name, other.mrn, other.email):
                if value:
                    assert value not in text, (value, text)
        assert patient.family_name not in text and patient.mrn not in text  # the first name is enough
        check_in.refresh_from_db()
        assert check_in.reminder_sent_at == now

    assert CheckIn.unscoped.filter(reminder_sent_at=now).count() == 2
    assert AuditEvent.objects.filter(action="check_in.remind").count() == 2
    assert set(AuditEvent.objects.filter(action="check_in.remind").values_list("object_id", flat=True)) == {
        str(due_wendy.pk),
        str(due_xavier.pk),
    }

    # A second run sends nothing.
    assert send_due(now=now + timedelta(minutes=1)) == 0
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_send_due_respects_the_limit(alice, mailoutbox):
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import send_due

    now = timezone.now()
    _, episode = screened_patient(alice, "L-1", "Lou", "Limit", email="lou@example.test")
    session = complete_session(alice, episode)
    for kind in ("week_1", "week_4", "week_12"):
        CheckIn.unscoped.create(
            clinic=session.clinic,
            patient=session.patient,
            episode=episode,
            session=session,
            kind=kind,
            due_at=now - timedelta(hours=1),
            expires_at=now + timedelta(days=1),
        )
    assert send_due(now=now, limit=2) == 2
    assert send_due(now=now, limit=2) == 1
    assert send_due(now=now, limit=2) == 0
    assert len(mailoutbox) == 3
