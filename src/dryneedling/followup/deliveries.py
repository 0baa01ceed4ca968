"""Recording each sending of a patient's link by email or SMS (issue 10).

A sending is claimed before the message goes out and finished after: `delivery_claim` locks the
patient's row, applies the resend rules and writes a `sending` row in one short transaction (two
clicks at once: the second waits for the first and then sees it); the message is sent outside any
transaction (a mail server or SMS provider may take seconds); `delivery_finish` marks the row sent
or failed and writes its audit row. The address is stored masked.

Resend rules (docs/decisions.md, "issue 10 — sending patient links"): the same link by the same
channel again within RESEND_MINUTES needs the sender's confirmation (the patient may simply not
have looked yet); more than DAILY_LIMIT sendings of one link in 24 hours are refused (a patient's
inbox or phone is not a place to flood). Failed sendings count for neither.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Outcome, User
from dryneedling.followup.models import LinkDelivery, PatientLink
from dryneedling.patients.models import Patient

Kind = LinkDelivery.Kind
RESEND_MINUTES = 10
DAILY_LIMIT = 5


class ResendNeedsConfirmation(Exception):
    """The same link went out by the same channel a moment ago; `last` is that sending."""

    def __init__(self, last: LinkDelivery, minutes: int) -> None:
        ago = "less than a minute" if minutes < 1 else f"{minutes} minute{'s' if minutes != 1 else ''}"
        super().__init__(
            f"This link was sent by {last.get_channel_display()} to {last.to_masked} {ago} ago. "
            "The patient may not have looked yet: send it again only if they asked."
        )
        self.last = last


def mask(channel: str, to: str) -> str:
    """`j•••@example.test` for an email address, `•••• 0100` for a phone number."""
    if channel == LinkDelivery.Channel.EMAIL:
        local, _, domain = to.partition("@")
        return f"{local[:1]}•••@{domain}"[:80]
    digits = "".join(ch for ch in to if ch.isascii() and ch.isdigit())
    return f"•••• {digits[-4:]}"


def same_link(*, kind: str, patient: Patient, link: PatientLink | None) -> Q:
    """The sendings of the same link: of the same check-in or plan (a reissued link is still the
    same one to the patient), or the patient's consent or education link."""
    if kind == Kind.CHECKIN and link is not None:
        return Q(kind=kind, link__check_in_id=link.check_in_id)
    if kind == Kind.HOMECARE and link is not None:
        return Q(kind=kind, link__home_care_plan_id=link.home_care_plan_id)
    return Q(kind=kind, patient_id=patient.pk)


@transaction.atomic
def delivery_claim(
    *,
    actor: User | None,
    patient: Patient,
    kind: str,
    link: PatientLink | None,
    channel: str,
    to: str,
    confirm: bool = False,
    now: datetime | None = None,
) -> LinkDelivery:
    """The `sending` row of a new sending, or ResendNeedsConfirmation / ValidationError (refused)."""
    now = now or timezone.now()
    Patient.objects.for_record(patient).select_for_update().filter(pk=patient.pk).first()  # one sender at a time
    recent = (
        LinkDelivery.objects.for_record(patient)
        .filter(same_link(kind=kind, patient=patient, link=link), sent_at__gt=now - timedelta(hours=24))
        .exclude(status=LinkDelivery.Status.FAILED)
    )
    if recent.count() >= DAILY_LIMIT:
        raise ValidationError(
            f"This link has been sent {DAILY_LIMIT} times in the last 24 hours: it is not sent again today. "
            "If the patient cannot find it, check their contact details or give it to them in person."
        )
    last = recent.filter(channel=channel, sent_at__gt=now - timedelta(minutes=RESEND_MINUTES)).first()
    if last is not None and not confirm:
        raise ResendNeedsConfirmation(last, int((now - last.sent_at).total_seconds() // 60))
    return LinkDelivery.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        kind=kind,
        link=link,
        channel=channel,
        to_masked=mask(channel, to),
        sent_at=now,
        sent_by=actor,
    )


@transaction.atomic
def delivery_finish(delivery: LinkDelivery, *, failure: str = "") -> LinkDelivery:
    """Mark the claimed sending sent (or failed, with the reason in words) and audit it (kind,
    channel, outcome and ids; never the address or the link)."""
    delivery.status = LinkDelivery.Status.FAILED if failure else LinkDelivery.Status.SENT
    delivery.failure = failure[:200]
    delivery.save(update_fields=["status", "failure"])
    audit_record(
        actor=delivery.sent_by,
        action="patient_link.send",
        clinic=delivery.clinic,
        obj=delivery,
        outcome=Outcome.FAILURE if failure else Outcome.SUCCESS,
        detail={"kind": delivery.kind, "channel": delivery.channel, "link": delivery.link_id},
    )
    return delivery
