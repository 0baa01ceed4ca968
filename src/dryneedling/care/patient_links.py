"""Sending a patient their link by email or SMS from the patient page (issue 10).

Spans two apps of one layer: the link and its record are followup's, the SMS backend is
scheduling's (the one every text message of the project goes through), so the flow lives here.

Minimum necessary (docs/decisions.md, "issue 10 — sending patient links"): a message names the
clinic and what the link is for ("your consent form", "a short questionnaire") and carries the
link; never the patient's name, condition, findings or appointment details. A shared inbox or a
phone's lock screen shows no more than that a clinic sent a form.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.permissions import CLINICAL, PATIENT_LINKS, Capability, allows, require
from dryneedling.followup import links
from dryneedling.followup.deliveries import delivery_claim, delivery_finish
from dryneedling.followup.link_selectors import consent_given, consent_link_open, education_url
from dryneedling.followup.models import CheckIn, HomeCarePlan, LinkDelivery, PatientLink
from dryneedling.patients.models import Patient
from dryneedling.patients.selectors import patient_get_for
from dryneedling.scheduling.sms import send_sms

log = logging.getLogger(__name__)
Kind, Channel = LinkDelivery.Kind, LinkDelivery.Channel

# Who may send which link: consent, education and check-ins are the front desk's and clinicians'
# (PATIENT_LINKS); a home-care plan is part of the clinical record (clinicians).
KIND_CAPABILITY: dict[str, Capability] = {
    Kind.CONSENT: PATIENT_LINKS,
    Kind.EDUCATION: PATIENT_LINKS,
    Kind.CHECKIN: PATIENT_LINKS,
    Kind.HOMECARE: CLINICAL,
}
NO_CONTACT = {
    Channel.EMAIL: "No email address on file: add one with Edit details to send by email.",
    Channel.SMS: "No phone number on file: add one with Edit details to send by SMS.",
}
NOT_SENT = {
    Channel.EMAIL: "The mail server did not accept the message. Check the address, or try again later.",
    Channel.SMS: "The SMS provider did not accept the message. Check the number, or try again later.",
}


@dataclass(frozen=True)
class Wording:
    subject: str  # after "<clinic>: "
    lead: str  # after "<clinic> " in the email
    sms: str  # after "<clinic>: " in the text message


WORDING = {
    Kind.CONSENT: Wording(
        "please read and sign before your visit",
        "asks you to read about your treatment and sign the consent form before your visit",
        "please read about your treatment and sign the consent form before your visit",
    ),
    Kind.CHECKIN: Wording(
        "how are you?",
        "would like to know how you are. The questionnaire takes about two minutes",
        "how are you? A 2-minute questionnaire",
    ),
    Kind.HOMECARE: Wording(
        "your home-care plan",
        "has written your home-care plan: what to do between visits",
        "your home-care plan",
    ),
    Kind.EDUCATION: Wording(
        "about your treatment",
        "has sent you information about your treatment",
        "information about your treatment",
    ),
}


def kinds_sendable_by(actor: User) -> set[str]:
    """The kinds of link the actor's roles may send (for the page's buttons)."""
    return {kind for kind, capability in KIND_CAPABILITY.items() if allows(actor=actor, capability=capability)}


def _until(clinic: Clinic, moment: datetime) -> str:
    """The date in the clinic's zone."""
    return f"{timezone.localtime(moment, ZoneInfo(clinic.time_zone)):%Y-%m-%d}"


def link_to_send(
    *, actor: User, patient: Patient, kind: str, target_id: int | None
) -> tuple[PatientLink | None, str, str]:
    """(the link, its URL, a sentence on how long it works) of the patient's link of `kind`, issued
    if needed; ValidationError in words when there is nothing to send."""
    clinic = patient.clinic
    if kind == Kind.EDUCATION:
        return None, education_url(clinic), ""
    if kind == Kind.CONSENT:
        if consent_given(clinic_id=clinic.pk, patient=patient):
            raise ValidationError("Consent is on file: there is nothing for the patient to sign.")
        link = consent_link_open(patient=patient) or links.link_for(
            purpose=links.Purpose.CONSENT, target=patient, actor=actor
        )
        return link, links.url_for(link), f"The link works once, until {_until(clinic, link.expires_at)}."
    if kind == Kind.CHECKIN:
        check_in = CheckIn.objects.for_record(patient).filter(patient=patient, pk=target_id or 0).first()
        if check_in is None:
            raise ValidationError("This patient has no such check-in.")
        if check_in.answered_at is not None:
            raise ValidationError("This check-in has been answered already: there is nothing to send.")
        if timezone.now() > check_in.expires_at:
            raise ValidationError("This check-in has closed: it can no longer be answered.")
        link = links.link_for(purpose=links.Purpose.CHECKIN, target=check_in, actor=actor)
        return link, links.url_for(link), f"The link works once, until {_until(clinic, check_in.expires_at)}."
    if kind == Kind.HOMECARE:
        plan = HomeCarePlan.objects.for_record(patient).filter(patient=patient, pk=target_id or 0).first()
        if plan is None:
            raise ValidationError("This patient has no such home-care plan.")
        link = links.link_for(purpose=links.Purpose.HOMECARE, target=plan, actor=actor)
        return link, links.url_for(link), f"The link works until {_until(clinic, link.expires_at)}."
    raise ValidationError("Choose a link to send.")


def patient_link_send(
    *, actor: User, patient: Patient, kind: str, channel: str, target_id: int | None = None, confirm: bool = False
) -> LinkDelivery:
    """Send the patient's link of `kind` by `channel` and record it. Refusals: PermissionDenied (the
    role), ValidationError (no such link, nothing to send, no contact, sent too often),
    ResendNeedsConfirmation (the same link by the same channel a moment ago). A backend that fails
    gives a `failed` record with the reason in words, never an exception."""
    if kind not in KIND_CAPABILITY or channel not in Channel.values:
        raise ValidationError("Choose a link to send and how.")
    require(actor=actor, capability=KIND_CAPABILITY[kind])
    patient = patient_get_for(actor=actor, patient_id=patient.pk)
    to = patient.email if channel == Channel.EMAIL else patient.phone
    if not to:
        raise ValidationError(NO_CONTACT[Channel(channel)])
    link, url, validity = link_to_send(actor=actor, patient=patient, kind=kind, target_id=target_id)
    delivery = delivery_claim(
        actor=actor, patient=patient, kind=kind, link=link, channel=channel, to=to, confirm=confirm
    )
    context = {"clinic": patient.clinic, "wording": WORDING[Kind(kind)], "url": url, "validity": validity}
    try:
        if channel == Channel.EMAIL:
            sent = send_mail(
                subject=f"{patient.clinic.name}: {WORDING[Kind(kind)].subject}",
                message=render_to_string("followup/link_email.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[to],
            )
        else:
            sent = send_sms(to=to, body=render_to_string("followup/link_sms.txt", context).strip())
    except Exception:  # any backend's failure: recorded and shown in words, the page carries on
        log.exception("patient link %s not sent by %s", delivery.pk, channel)
        sent = 0
    return delivery_finish(delivery, failure="" if sent else NOT_SENT[Channel(channel)])
