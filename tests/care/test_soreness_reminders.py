"""`send-due` reminds the 48 and 72 h soreness readings (issue 11) by the clinic's channel, not to a
patient who opted out, once each, and not for a reading already given."""

# ruff: noqa: F811
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dryneedling.scheduling import sms
from tests.followup.test_services import complete_session_hours_ago
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable_session(alice, ready_episode):  # type: ignore[no-untyped-def]
    patient = ready_episode.patient
    patient.email, patient.phone = "zelda@example.test", "+4915550100"
    patient.save(update_fields=["email", "phone"])
    sms.outbox.clear()
    return complete_session_hours_ago(alice, ready_episode, 44)  # inside the 48 h window


@pytest.mark.parametrize(
    ("channel", "emails", "texts"), [("both", 1, 1), ("email", 1, 0), ("sms", 0, 1), ("none", 0, 0)]
)
def test_the_48_hour_reminder_goes_by_the_clinic_s_channel_once(reachable_session, mailoutbox, channel, emails, texts):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import AuditEvent
    from dryneedling.care.soreness_reminders import soreness_reminders_send_due
    from dryneedling.followup.models import CheckIn, LinkDelivery

    clinic = reachable_session.clinic
    clinic.reminder_channel = channel
    clinic.save(update_fields=["reminder_channel"])
    assert soreness_reminders_send_due() == (1 if emails or texts else 0)
    assert (len(mailoutbox), len(sms.outbox)) == (emails, texts)
    assert soreness_reminders_send_due() == 0  # once
    assert (len(mailoutbox), len(sms.outbox)) == (emails, texts)
    if emails:
        assert "48-hour soreness reading" in mailoutbox[0].subject and "/c/" in mailoutbox[0].body
        assert "Zelda" not in mailoutbox[0].body
    if texts:
        assert "48 hours after your dry needling session" in sms.outbox[0].body and "Quimby" not in sms.outbox[0].body
    check_in = CheckIn.unscoped.get(session=reachable_session)
    assert check_in.reminded_hours == ([48] if emails or texts else [])
    assert LinkDelivery.unscoped.filter(patient=check_in.patient).count() == emails + texts
    if emails or texts:
        assert AuditEvent.objects.get(action="check_in.remind_soreness").detail["hours"] == 48


def test_no_reminder_to_a_patient_who_opted_out_or_for_a_reading_given(reachable_session, mailoutbox):  # type: ignore[no-untyped-def]
    from dryneedling.care.soreness_reminders import soreness_reminders_send_due
    from dryneedling.followup.models import SorenessReading

    patient = reachable_session.patient
    patient.appointment_reminders_opt_out = True
    patient.save(update_fields=["appointment_reminders_opt_out"])
    assert soreness_reminders_send_due() == 0
    patient.appointment_reminders_opt_out = False
    patient.save(update_fields=["appointment_reminders_opt_out"])
    SorenessReading.objects.create(
        clinic=reachable_session.clinic,
        patient=patient,
        session=reachable_session,
        hours=48,
        score=2,
        source="patient",
    )
    assert soreness_reminders_send_due() == 0
    assert not mailoutbox and not sms.outbox
    # 72 h after the session: the last reading is reminded.
    assert soreness_reminders_send_due(now=timezone.now() + timedelta(hours=24)) == 1
    assert "72-hour soreness reading" in mailoutbox[0].subject
