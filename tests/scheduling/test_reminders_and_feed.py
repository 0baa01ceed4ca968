"""Reminders by email and SMS (sent once, by the send-due job) and the iCalendar feed."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest

from dryneedling.accounts.models import AuditEvent
from dryneedling.scheduling import ical, sms
from dryneedling.scheduling.services import appointment_cancel, calendar_feed_regenerate, reminders_send_due
from tests.scheduling.conftest import MONDAY, at, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable(patient_a):  # type: ignore[no-untyped-def]
    from dryneedling.patients.models import Patient

    Patient.objects.for_record(patient_a).filter(pk=patient_a.pk).update(
        email="zelda@example.test", phone="+4915550100"
    )
    sms.outbox.clear()
    return patient_a


def test_reminders_go_out_once_by_email_and_sms_within_the_window(
    booked, reachable, bob, alice, follow_up_type, mailoutbox
):
    later = book(bob, alice, reachable, follow_up_type, at(MONDAY + timedelta(days=2), 9))
    now = at(MONDAY, 9) - timedelta(hours=20)
    assert reminders_send_due(now=now) == 2  # the Monday one by email and by SMS; Wednesday's is not due
    assert len(mailoutbox) == 1 and len(sms.outbox) == 1
    assert "Monday 4 March 2030 at 09:00" in mailoutbox[0].body  # clinic time (Berlin), not UTC
    assert "Dry-needling follow-up" in sms.outbox[0].body and sms.outbox[0].to == "+4915550100"
    assert "Quimby" not in sms.outbox[0].body
    assert reminders_send_due(now=now + timedelta(minutes=5)) == 0  # claimed: never twice
    assert AuditEvent.objects.filter(action__startswith="appointment.remind_").count() == 2
    assert later.reminder_email_at is None


def test_cancelled_appointments_and_patients_without_contacts_get_no_reminder(booked, bob, patient_a, mailoutbox):
    from dryneedling.patients.models import Patient

    sms.outbox.clear()
    appointment_cancel(actor=bob, appointment=booked, reason="Called")
    assert reminders_send_due(now=at(MONDAY, 8)) == 0  # cancelled (the patient has a phone)
    Patient.objects.for_record(patient_a).update(phone="", email="")
    book(bob, booked.clinician, patient_a, booked.appointment_type, at(MONDAY, 10))
    assert reminders_send_due(now=at(MONDAY, 8)) == 0  # no way to reach them
    assert not mailoutbox and not sms.outbox


def test_a_failed_send_rolls_its_claim_back(booked, reachable, settings):
    settings.SMS_BACKEND = "dryneedling.scheduling.sms.TwilioBackend"
    settings.SMS_TWILIO_ACCOUNT_SID, settings.SMS_TWILIO_AUTH_TOKEN, settings.SMS_FROM = "AC1", "secret", "+100"
    with mock.patch("urllib.request.urlopen", side_effect=OSError("no network in tests")), pytest.raises(OSError):
        reminders_send_due(now=at(MONDAY, 8))
    booked.refresh_from_db()
    assert booked.reminder_sms_at is None  # tried again on the next run


def test_the_twilio_backend_posts_the_message(settings):
    settings.SMS_TWILIO_ACCOUNT_SID, settings.SMS_TWILIO_AUTH_TOKEN, settings.SMS_FROM = "AC1", "secret", "+100"
    response = mock.MagicMock(status=201)
    response.read.return_value = b'{"sid": "SM1"}'
    response.__enter__.return_value = response
    with mock.patch("urllib.request.urlopen", return_value=response) as urlopen:
        assert sms.TwilioBackend().send_messages([sms.SmsMessage(to="+4915550100", body="Hi")]) == 1
    request = urlopen.call_args.args[0]
    assert request.full_url == "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
    assert b"To=%2B4915550100" in request.data and b"Body=Hi" in request.data


def test_the_file_backend_writes_under_its_folder(settings, tmp_path):
    settings.SMS_BACKEND = "dryneedling.scheduling.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path)
    assert sms.send_sms(to="+1", body="Reminder") == 1
    assert "Reminder" in next(tmp_path.iterdir()).read_text()


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ical_lines_are_crlf_and_folded_at_75_octets():
    long = "Appointment (" + "Ünïcödé " * 30 + ")"
    body = ical.calendar(
        name="Clinic; A, B",
        events=[ical.Event(uid="u1", starts_at=at(MONDAY, 9), ends_at=at(MONDAY, 9, 30), summary=long)],
        now=at(MONDAY, 8),
    )
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    for line in body.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
        line.encode("utf-8").decode("utf-8")  # never split inside a character
    lines = _unfold(body)
    assert "SUMMARY:" + ical.escape(long) in lines
    assert "X-WR-CALNAME:Clinic\\; A\\, B" in lines
    assert "DTSTART:20300304T080000Z" in lines  # 09:00 Berlin


def test_the_feed_has_no_patient_names_and_a_new_token_retires_the_old(
    hours, alice, bob, patient_a, follow_up_type, client
):
    from datetime import date

    today = date.today()
    soon = today + timedelta(days=7 - today.weekday())  # next Monday, inside the feed's window
    booked = book(bob, alice, patient_a, follow_up_type, at(soon, 9))
    token = calendar_feed_regenerate(actor=alice)
    response = client.get(f"/ical/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert "SUMMARY:Appointment (Dry-needling follow-up)" in _unfold(text)
    assert "Zelda" not in text and "Quimby" not in text and "A-0001" not in text
    assert text.count("BEGIN:VEVENT") == 1
    newer = calendar_feed_regenerate(actor=alice)
    assert client.get(f"/ical/{token}.ics").status_code == 404
    assert client.get(f"/ical/{newer}.ics").status_code == 200
    appointment_cancel(actor=bob, appointment=booked, reason="Called")
    assert "STATUS:CANCELLED" in client.get(f"/ical/{newer}.ics").content.decode()


def test_only_the_digest_of_the_feed_token_is_stored(alice):
    from dryneedling.scheduling.models import CalendarFeed

    token = calendar_feed_regenerate(actor=alice)
    stored = CalendarFeed.objects.get(clinician=alice)
    assert token not in stored.token_digest and len(stored.token_digest) == 64
