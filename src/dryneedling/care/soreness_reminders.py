"""Reminders of the later soreness readings (issue 11): 48 and 72 hours after a session, by the
channels of the clinic's `reminder_channel` (email, SMS, both or none), to patients who have not
opted out of reminders (`appointment_reminders_opt_out`, the one reminder choice a patient has).
The first (24 h) reading is reminded by the check-in reminder every check-in has
(followup.services.send_due).

Run by `dryneedling send-due` (cron, concurrently safe): each reminder is claimed under a row lock
on the check-in before it is sent, and recorded in its `reminded_hours`, so it is sent once. It
lives in `care` because it uses scheduling's SMS backend and followup's check-ins."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dryneedling.accounts import zones
from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic
from dryneedling.clinical import soreness as rule
from dryneedling.followup import links, soreness
from dryneedling.followup.deliveries import mask
from dryneedling.followup.models import CheckIn, LinkDelivery
from dryneedling.scheduling.messages import send_reminder

LATER_HOURS = rule.PATIENT_HOURS[1:]  # 48 and 72 h
CONTACT = {"email": "email", "sms": "phone"}


def _send(check_in: CheckIn, hours: int, channel: str, url: str) -> None:
    opens = zones.local(
        soreness.anchor_of(check_in.session) + timedelta(hours=hours + rule.TOLERANCE_HOURS), check_in.clinic
    )
    context = {"check_in": check_in, "clinic": check_in.clinic, "link": url, "hours": hours, "until": opens}
    body = zones.render_in_zone_of(check_in.clinic, "followup/soreness_reminder.txt", context).strip()
    subject = f"{check_in.clinic.name}: your {hours}-hour soreness reading"
    send_reminder(patient=check_in.patient, channel=channel, subject=subject, body=body)


def soreness_reminders_send_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send the 48 and 72 h soreness reminders whose reading is due now and not yet given."""
    now = now or timezone.now()
    oldest = now - timedelta(hours=rule.LAST_HOURS)
    sent = 0
    for clinic in Clinic.objects.order_by("pk"):
        channels = clinic.reminder_channels
        if not channels:
            continue  # the clinic sends no reminders
        open_check_ins = (
            CheckIn.objects.for_clinic(clinic)
            .filter(kind=CheckIn.Kind.SORENESS, expires_at__gt=now, due_at__lte=now, session__ended_at__gte=oldest)
            .exclude(patient__appointment_reminders_opt_out=True)
            .select_related("session")
            .order_by("due_at", "id")
        )
        for candidate in open_check_ins:
            if sent >= limit:
                return sent
            hours = soreness.due_for(candidate, now).hours
            if hours not in LATER_HOURS or hours in candidate.reminded_hours:
                continue
            with transaction.atomic():
                check_in = (
                    CheckIn.objects.for_clinic(clinic)
                    .select_for_update()
                    .select_related("patient", "session", "clinic")
                    .get(pk=candidate.pk)
                )
                if hours in check_in.reminded_hours:
                    continue  # another runner sent it
                check_in.reminded_hours = [*check_in.reminded_hours, hours]
                check_in.save(update_fields=["reminded_hours"])
                link = links.link_for(purpose=links.Purpose.CHECKIN, target=check_in)
                url = links.url_for(link)
                used = []
                for channel in channels:
                    contact = getattr(check_in.patient, CONTACT[channel])
                    if not contact:
                        continue
                    _send(check_in, hours, channel, url)
                    LinkDelivery.objects.create(
                        clinic=clinic,
                        patient=check_in.patient,
                        kind=LinkDelivery.Kind.CHECKIN,
                        link=link,
                        channel=channel,
                        to_masked=mask(channel, contact),
                        status=LinkDelivery.Status.SENT,
                        sent_at=now,
                    )
                    used.append(channel)
                audit_record(
                    actor=None,
                    action="check_in.remind_soreness",
                    clinic=clinic,
                    obj=check_in,
                    detail={"hours": hours, "channels": used},
                )
                sent += 1 if used else 0
    return sent
