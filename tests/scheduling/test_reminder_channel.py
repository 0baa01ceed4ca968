"""The clinic's reminder channel and the patient's opt-out, as `send-due` applies them (issue 10)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dryneedling.scheduling import sms
from dryneedling.scheduling.services import reminders_send_due
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.test_reminders_and_feed import reachable  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
NOW = at(MONDAY, 9) - timedelta(hours=20)


@pytest.mark.parametrize(
    ("channel", "emails", "texts"), [("both", 1, 1), ("email", 1, 0), ("sms", 0, 1), ("none", 0, 0)]
)
def test_the_clinics_channel_decides_how_reminders_go(booked, reachable, clinic_tz, mailoutbox, channel, emails, texts):  # type: ignore[no-untyped-def]  # noqa: F811
    clinic_tz.reminder_channel = channel
    clinic_tz.save(update_fields=["reminder_channel"])
    assert reminders_send_due(now=NOW) == emails + texts
    assert (len(mailoutbox), len(sms.outbox)) == (emails, texts)


def test_a_patient_who_opted_out_gets_no_reminder_until_they_opt_back_in(booked, reachable, dana, mailoutbox):  # type: ignore[no-untyped-def]  # noqa: F811
    from dryneedling.patients.services import patient_update

    patient_update(actor=dana, patient=reachable, appointment_reminders_opt_out=True)
    assert reminders_send_due(now=NOW) == 0
    assert not mailoutbox and not sms.outbox
    patient_update(actor=dana, patient=reachable, appointment_reminders_opt_out=False)
    assert reminders_send_due(now=NOW + timedelta(minutes=1)) == 2


def test_the_reminder_setting_service_refuses_other_roles_and_unknown_channels(alice, dana, clinic_a):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied, ValidationError

    from dryneedling.accounts.clinic_settings import clinic_reminders_update
    from dryneedling.accounts.models import AuditEvent

    with pytest.raises(PermissionDenied):
        clinic_reminders_update(actor=alice, reminder_channel="none")
    with pytest.raises(ValidationError):
        clinic_reminders_update(actor=dana, reminder_channel="fax")
    assert clinic_reminders_update(actor=dana, reminder_channel="email").reminder_channel == "email"
    assert AuditEvent.objects.get(action="clinic.reminders.update").detail == {"fields": ["reminder_channel"]}
