"""Consent by link: the patient reads the education page and signs a specific consent version."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import PATIENT_LINKS, require
from dryneedling.clinical.education import CONSENT_VERSION, consent_items
from dryneedling.followup import links
from dryneedling.followup.links import LinkError
from dryneedling.patients.models import Patient
from dryneedling.patients.selectors import patient_get_for
from dryneedling.treatment.models import Consent
from dryneedling.treatment.services.chart import CHEST_ITEM, consent_signer_check


def consent_link_for(*, actor: User, patient: Patient) -> str:
    """A new single-use consent link for the patient, valid 7 days."""
    require(actor=actor, capability=PATIENT_LINKS)
    patient = patient_get_for(actor=actor, patient_id=patient.pk)
    audit_record(actor=actor, action="consent.link", obj=patient)
    return links.url_for(links.link_for(purpose=links.Purpose.CONSENT, target=patient, actor=actor))


@transaction.atomic
def consent_sign(
    *, token: str, signed_name: str, agreed: list[str], signature_svg: str = "", signer: str = "patient"
) -> Consent:
    link = links.resolve(token, purpose=links.Purpose.CONSENT)
    patient = link.patient
    if patient is None:  # the table's constraint forbids it
        raise LinkError("invalid")
    items = {item.id: item for item in consent_items()}
    if any(item_id not in items for item_id in agreed):
        raise ValidationError("Unknown consent item.")
    missing = [item.text for item in items.values() if item.required and item.id not in agreed]
    if missing:
        raise ValidationError("Please tick every required statement to consent.")
    try:
        signed_name = consent_signer_check(patient=patient, signer=signer, signed_name=signed_name)
    except ValidationError as error:
        # The public page shows one message in plain words.
        raise ValidationError(" ".join(error.messages)) from None
    if len(signature_svg) > 20000:
        raise ValidationError("The drawn signature is too large; please draw it again.")
    links.link_use(link)  # two tabs signing at once: the second is refused as used
    consent = Consent.objects.create(
        clinic=patient.clinic,
        patient=patient,
        version=CONSENT_VERSION,
        items=sorted(agreed),
        covers_chest_and_neck=CHEST_ITEM in agreed,
        signed_name=signed_name,
        signer=signer,
        signature_svg=signature_svg,
        recorded_by=None,
    )
    audit_record(
        actor=None,
        action="consent.sign",
        clinic=patient.clinic,
        obj=consent,
        detail={"via": "patient link", "signer": signer},
    )
    return consent
