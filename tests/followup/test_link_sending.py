"""Sending a patient's links by email or SMS (issue 10): who may send which link, what the message
carries (the configured public URL, nothing clinical), how each sending is recorded, the resend
rules, a failing backend, and Today's "links to send"."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from dryneedling.accounts.models import AuditEvent, Outcome
from dryneedling.care.patient_links import patient_link_send
from dryneedling.followup.deliveries import DAILY_LIMIT, ResendNeedsConfirmation
from dryneedling.followup.models import CheckIn, LinkDelivery, PatientLink
from dryneedling.patients.models import Patient
from dryneedling.scheduling import sms
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
PUBLIC = "https://clinic-a.example.org"


@pytest.fixture(autouse=True)
def public_url(settings):  # type: ignore[no-untyped-def]
    settings.PUBLIC_BASE_URL = PUBLIC
    sms.outbox.clear()


@pytest.fixture
def reachable(patient_a):  # type: ignore[no-untyped-def]
    Patient.objects.for_record(patient_a).filter(pk=patient_a.pk).update(email="zelda@example.test")
    patient_a.refresh_from_db()
    return patient_a


@pytest.fixture
def soreness(alice, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    from tests.followup.test_services import complete_session

    complete_session(alice, ready_episode)
    return CheckIn.unscoped.get(episode=ready_episode, kind="soreness")


def test_front_desk_sends_the_consent_link_by_email_with_the_public_url(bob, reachable, mailoutbox):  # type: ignore[no-untyped-def]
    delivery = patient_link_send(actor=bob, patient=reachable, kind="consent", channel="email")
    assert delivery.status == "sent" and delivery.sent_by == bob and delivery.channel == "email"
    assert delivery.to_masked == "z•••@example.test" and delivery.link is not None
    [message] = mailoutbox
    assert message.to == ["zelda@example.test"]
    assert f"{PUBLIC}/s/" in message.body and message.subject.startswith("Clinic A:")
    for private in ("Zelda", "Quimby", "A-0001", "Cervicalgia", "Neck"):  # minimum necessary
        assert private not in message.body and private not in message.subject
    audit = AuditEvent.objects.get(action="patient_link.send")
    assert audit.outcome == Outcome.SUCCESS and audit.patient_id == reachable.pk
    assert "zelda" not in str(audit.detail)


def test_the_consent_link_sent_is_the_open_one_and_opens_the_consent_page(bob, reachable, mailoutbox, client):  # type: ignore[no-untyped-def]
    from dryneedling.followup.consent import consent_link_for

    issued = consent_link_for(actor=bob, patient=reachable)  # the "Consent link for the patient" button
    patient_link_send(actor=bob, patient=reachable, kind="consent", channel="email")
    assert issued in mailoutbox[0].body  # not a second link
    assert PatientLink.objects.for_record(reachable).filter(purpose="consent").count() == 1
    path = issued.removeprefix(PUBLIC)
    assert client.get(path).status_code == 200


def test_a_check_in_link_goes_by_sms(bob, soreness):  # type: ignore[no-untyped-def]
    delivery = patient_link_send(
        actor=bob, patient=soreness.patient, kind="checkin", target_id=soreness.pk, channel="sms"
    )
    [text] = sms.outbox
    assert text.to == "555-0100" and f"{PUBLIC}/c/" in text.body and "Clinic A" in text.body
    assert "Zelda" not in text.body and "Quimby" not in text.body
    assert delivery.to_masked == "•••• 0100" and delivery.link is not None and delivery.link.check_in == soreness


def test_the_education_link_is_the_clinics_page(alice, reachable, mailoutbox):  # type: ignore[no-untyped-def]
    delivery = patient_link_send(actor=alice, patient=reachable, kind="education", channel="email")
    assert delivery.link is None and delivery.kind == "education"
    assert f"{PUBLIC}/learn/{reachable.clinic.slug}/" in mailoutbox[0].body


def test_who_may_send_which_link(alice, bob, dana, carol, reachable, mailoutbox):  # type: ignore[no-untyped-def]
    from dryneedling.followup.homecare import home_care_plan_create

    plan = home_care_plan_create(actor=alice, episode=reachable.episodes.get())
    with pytest.raises(PermissionDenied, match="Only front desk and clinicians"):
        patient_link_send(actor=dana, patient=reachable, kind="education", channel="email")
    with pytest.raises(PermissionDenied, match="Only a clinician"):  # a home-care plan is clinical
        patient_link_send(actor=bob, patient=reachable, kind="homecare", target_id=plan.pk, channel="email")
    with pytest.raises(Http404):  # another clinic's patient
        patient_link_send(actor=carol, patient=reachable, kind="education", channel="email")
    sent = patient_link_send(actor=alice, patient=reachable, kind="homecare", target_id=plan.pk, channel="email")
    assert sent.status == "sent" and f"{PUBLIC}/h/" in mailoutbox[0].body
    assert LinkDelivery.objects.for_record(reachable).count() == 1


def test_nothing_to_send_or_no_contact_is_said_in_words(bob, patient_a, ready_episode, soreness):  # type: ignore[no-untyped-def]  # noqa: F811
    with pytest.raises(ValidationError, match="No email address on file"):
        patient_link_send(actor=bob, patient=patient_a, kind="education", channel="email")
    with pytest.raises(ValidationError, match="Consent is on file"):  # ready_episode consented
        patient_link_send(actor=bob, patient=patient_a, kind="consent", channel="sms")
    CheckIn.unscoped.filter(pk=soreness.pk).update(answered_at=timezone.now())
    with pytest.raises(ValidationError, match="answered already"):
        patient_link_send(actor=bob, patient=patient_a, kind="checkin", target_id=soreness.pk, channel="sms")
    with pytest.raises(ValidationError, match="no such check-in"):
        patient_link_send(actor=bob, patient=patient_a, kind="checkin", target_id=999999, channel="sms")
    assert not LinkDelivery.objects.for_record(patient_a).exists()


def test_a_resend_within_minutes_asks_for_confirmation_and_a_flood_is_refused(bob, reachable, mailoutbox):  # type: ignore[no-untyped-def]
    patient_link_send(actor=bob, patient=reachable, kind="education", channel="email")
    with pytest.raises(ResendNeedsConfirmation, match="sent by email to z•••@example.test"):
        patient_link_send(actor=bob, patient=reachable, kind="education", channel="email")
    patient_link_send(actor=bob, patient=reachable, kind="education", channel="sms")  # another channel: fine
    for _ in range(DAILY_LIMIT - 2):
        patient_link_send(actor=bob, patient=reachable, kind="education", channel="email", confirm=True)
    with pytest.raises(ValidationError, match=f"sent {DAILY_LIMIT} times in the last 24 hours"):
        patient_link_send(actor=bob, patient=reachable, kind="education", channel="email", confirm=True)
    assert len(mailoutbox) == DAILY_LIMIT - 1
    # a day later the window is open again
    LinkDelivery.objects.for_record(reachable).update(sent_at=timezone.now() - timedelta(hours=25))
    assert patient_link_send(actor=bob, patient=reachable, kind="education", channel="email").status == "sent"


def test_a_failing_backend_is_recorded_as_failed_in_words(bob, reachable, settings):  # type: ignore[no-untyped-def]
    with mock.patch("dryneedling.care.patient_links.send_mail", side_effect=SMTPException("relay refused")):
        delivery = patient_link_send(actor=bob, patient=reachable, kind="education", channel="email")
    assert delivery.status == "failed" and "mail server did not accept" in delivery.failure
    assert AuditEvent.objects.get(action="patient_link.send").outcome == Outcome.FAILURE
    settings.SMS_BACKEND = "dryneedling.scheduling.sms.TwilioBackend"
    with mock.patch("urllib.request.urlopen", side_effect=OSError("no network in tests")):
        failed = patient_link_send(actor=bob, patient=reachable, kind="education", channel="sms")
    assert failed.status == "failed" and "SMS provider" in failed.failure
    # a failed sending does not count as sent: sending again needs no confirmation
    settings.SMS_BACKEND = "dryneedling.scheduling.sms.LocmemBackend"
    assert patient_link_send(actor=bob, patient=reachable, kind="education", channel="sms").status == "sent"


def test_the_check_in_schedule_selector_writes_nothing(bob, soreness):  # type: ignore[no-untyped-def]
    from dryneedling.followup.selectors import checkin_schedule_for
    from dryneedling.followup.services import checkin_links_issue

    before = (PatientLink.objects.for_record(soreness).count(), AuditEvent.objects.count())
    [row] = checkin_schedule_for(actor=bob, patient=soreness.patient)
    assert row.link == "" and row.check_in_id == soreness.pk
    assert (PatientLink.objects.for_record(soreness).count(), AuditEvent.objects.count()) == before
    issued = checkin_links_issue(actor=bob, patient=soreness.patient)
    [row] = checkin_schedule_for(actor=bob, patient=soreness.patient)
    assert row.link == issued[soreness.pk] and row.link.startswith(f"{PUBLIC}/c/")


def test_today_lists_links_not_sent_until_they_are(bob, alice, soreness, reachable):  # type: ignore[no-untyped-def]
    from dryneedling.followup.consent import consent_link_for
    from dryneedling.followup.link_selectors import links_unsent_for

    patient = soreness.patient
    unconsented = Patient.objects.create(
        clinic=patient.clinic,
        mrn="A-0009",
        given_name="Yara",
        family_name="Xu",
        date_of_birth="1990-01-01",
        sex="female",
        email="yara@example.test",
    )
    consent_link_for(actor=bob, patient=unconsented)
    rows = links_unsent_for(actor=bob)
    assert {(r.patient.pk, r.what.split(" ")[0]) for r in rows} == {
        (patient.pk, "check-in"),
        (unconsented.pk, "consent"),
    }
    patient_link_send(actor=bob, patient=patient, kind="checkin", target_id=soreness.pk, channel="sms")
    patient_link_send(actor=bob, patient=unconsented, kind="consent", channel="email")
    assert links_unsent_for(actor=bob) == []
    # a withdrawn link: its sending no longer counts, the new link is to send
    PatientLink.objects.for_record(soreness).filter(check_in=soreness).update(revoked_at=timezone.now())
    assert [r.patient.pk for r in links_unsent_for(actor=bob)] == [patient.pk]


def test_the_reminder_job_records_its_check_in_sendings(soreness, reachable, mailoutbox):  # type: ignore[no-untyped-def]
    from dryneedling.followup.link_selectors import links_unsent_for
    from dryneedling.followup.services import send_due

    CheckIn.unscoped.filter(pk=soreness.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert send_due() == 1
    delivery = LinkDelivery.objects.for_record(soreness).get()
    assert delivery.sent_by is None and delivery.status == "sent" and delivery.link.check_in_id == soreness.pk
    assert f"{PUBLIC}/c/" in mailoutbox[0].body
    assert links_unsent_for(actor=soreness.session.clinician) == []
