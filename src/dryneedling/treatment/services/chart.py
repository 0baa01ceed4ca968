"""Consent, trigger-point findings and pain drawings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.clinical import bodychart
from dryneedling.clinical.chart import pain_extent, validate_pain_regions
from dryneedling.clinical.education import CONSENT_VERSION, consent_items
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.patients.limits import MAX_FINDINGS_PER_EPISODE
from dryneedling.patients.models import Episode, Patient
from dryneedling.patients.selectors import episode_get_for, patient_get_for
from dryneedling.patients.validation import names_match
from dryneedling.treatment.models import Consent, Finding, PainDrawing, Side
from dryneedling.treatment.services.common import require_clinician

CHEST_ITEM = "chest_wall_neck"
CONSENT_CLINICIAN_ONLY = (
    "Only a clinician records consent in the clinic: the patient agrees with the clinician who will "
    "needle and can answer their questions, and consent is what lets a session start. "
    "Front desk can send the patient a consent link instead."
)
PAIN_DRAWING_CLINICIAN_ONLY = "Only a clinician records a pain drawing: it is part of the clinical examination."


def clinician_check(*, actor: User, reason: str) -> None:
    """PermissionDenied with `reason` (shown on the 403 page) unless the actor is a clinician."""
    require_clinician(actor, reason=reason)


def consent_signer_check(*, patient: Patient, signer: str, signed_name: str, field: str = "signed_name") -> str:
    """The typed name must name the patient, or the substitute decision-maker the clinic recorded."""
    signed_name = signed_name.strip()
    if not 2 <= len(signed_name) <= 200 or "\x00" in signed_name:
        raise ValidationError({field: "Type your full name to sign (at most 200 characters)."})
    if signer == "patient":
        if not names_match(signed_name, f"{patient.given_name} {patient.family_name}"):
            raise ValidationError({field: "The typed name does not match the patient's name: the patient must sign."})
    elif signer == "substitute":
        if not patient.decision_maker_name:
            raise ValidationError(
                {field: "No substitute decision-maker is recorded for this patient: record one on the patient first."}
            )
        if not names_match(signed_name, patient.decision_maker_name):
            raise ValidationError({field: "The typed name does not match the recorded substitute decision-maker."})
    else:
        raise ValidationError({"signer": "Say who consents: the patient or the substitute decision-maker."})
    return signed_name


def optional_consent_items() -> list[str]:
    """Ids of the optional consent items of the current version (the patient may decline each)."""
    return [item.id for item in consent_items() if not item.required]


def consent_items_declined(agreed: list[str]) -> list[str]:
    """The optional items a consent's signer did not agree to, by their labels ("electrical dry
    needling")."""
    return [item.label for item in consent_items() if not item.required and item.id not in agreed]


def consent_items_agreed(optional_items: list[str]) -> list[str]:
    """Every required item plus the optional ones chosen; unknown or required ids are refused."""
    optional = set(optional_consent_items())
    unknown = [i for i in optional_items if i not in optional]
    if unknown:
        raise ValidationError("Unknown consent item.")
    return sorted({item.id for item in consent_items() if item.required} | set(optional_items))


@transaction.atomic
def consent_record(
    *, actor: User, patient: Patient, signed_name: str, optional_items: list[str], signer: str = "patient"
) -> Consent:
    """Consent taken in the clinic: the patient (or their substitute) reads, asks, agrees and signs."""
    clinician_check(actor=actor, reason=CONSENT_CLINICIAN_ONLY)
    patient = patient_get_for(actor=actor, patient_id=patient.pk)
    signed_name = consent_signer_check(patient=patient, signer=signer, signed_name=signed_name)
    items = consent_items_agreed(optional_items)
    consent = Consent.objects.create(
        clinic=patient.clinic,
        patient=patient,
        signed_name=signed_name,
        signer=signer,
        version=CONSENT_VERSION,
        items=items,
        covers_chest_and_neck=CHEST_ITEM in items,
        recorded_by=actor,
    )
    audit_record(actor=actor, action="consent.create", obj=consent, detail={"patient_id": patient.pk, "signer": signer})
    return consent


def validate_finding(data: dict[str, Any]) -> None:
    knowledge = get_knowledge()
    if data.get("muscle_id") not in knowledge.muscles:
        raise ValidationError({"muscle_id": "Choose a muscle from the knowledge base."})
    if data.get("side") not in Side.values:
        raise ValidationError({"side": "Choose left, right or midline."})
    view, x, y = data.get("view"), data.get("x"), data.get("y")
    if view not in bodychart.VIEWS or not isinstance(x, (int, float)) or not isinstance(y, (int, float)):
        raise ValidationError({"x": "Place the point on the body chart."})
    if not bodychart.inside_chart(view, float(x), float(y)):
        raise ValidationError({"x": "The point lies outside the body chart."})
    if data.get("status") not in Finding.Status.values:
        raise ValidationError({"status": "Choose active or latent."})
    tenderness = data.get("tenderness")
    if not isinstance(tenderness, int) or not 0 <= tenderness <= 10:
        raise ValidationError({"tenderness": "Tenderness is a whole number from 0 to 10."})
    ppt = data.get("ppt_kg_cm2")
    if ppt is not None and not (Decimal("0") < Decimal(ppt) <= Decimal("20")):
        raise ValidationError({"ppt_kg_cm2": "A pressure pain threshold lies between 0 and 20 kg/cm²."})
    regions = data.get("referral_regions") or []
    unknown = [r for r in regions if r not in bodychart.region_ids()]
    if unknown:
        raise ValidationError({"referral_regions": f"Unknown body-chart regions: {', '.join(unknown[:3])}."})


FINDING_FIELDS = (
    "muscle_id",
    "side",
    "view",
    "x",
    "y",
    "status",
    "taut_band",
    "tenderness",
    "familiar_pain",
    "referral_reproduced",
    "referral_regions",
    "ppt_kg_cm2",
)


@transaction.atomic
def finding_create(*, actor: User, episode: Episode, **fields: Any) -> Finding:
    require_clinician(actor)
    episode = episode_get_for(actor=actor, episode_id=episode.pk)
    unknown = set(fields) - set(FINDING_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown finding fields: {', '.join(sorted(unknown))}.")
    data = {field: fields.get(field) for field in FINDING_FIELDS}
    data["referral_regions"] = list(data["referral_regions"] or [])
    for flag in ("taut_band", "familiar_pain", "referral_reproduced"):
        data[flag] = bool(data[flag])
    validate_finding(data)
    if Finding.objects.for_clinic(episode.clinic_id).filter(episode=episode).count() >= MAX_FINDINGS_PER_EPISODE:
        raise ValidationError(
            f"An episode holds at most {MAX_FINDINGS_PER_EPISODE} findings, and this one is full. "
            "Start a new episode of care to chart more."
        )
    finding = Finding.objects.create(
        clinic=episode.clinic, patient=episode.patient, episode=episode, recorded_by=actor, **data
    )
    audit_record(actor=actor, action="finding.create", obj=finding, detail={"episode_id": episode.pk})
    return finding


@transaction.atomic
def pain_drawing_record(*, actor: User, episode: Episode, regions: Any, nprs: int | None) -> PainDrawing:
    clinician_check(actor=actor, reason=PAIN_DRAWING_CLINICIAN_ONLY)
    episode = episode_get_for(actor=actor, episode_id=episode.pk)
    try:
        clean = validate_pain_regions(regions)
    except ValueError as error:
        raise ValidationError({"pain_regions": str(error)}) from None
    if not clean:
        raise ValidationError({"pain_regions": "Mark at least one painful region on the chart."})
    if nprs is not None and not 0 <= nprs <= 10:
        raise ValidationError({"nprs": "Pain now is a whole number from 0 to 10."})
    drawing = PainDrawing.objects.create(
        clinic=episode.clinic,
        patient=episode.patient,
        episode=episode,
        regions=clean,
        extent_percent=round(pain_extent(regions=clean), 1),
        nprs=nprs,
        recorded_by=actor,
    )
    audit_record(actor=actor, action="pain_drawing.create", obj=drawing, detail={"episode_id": episode.pk})
    return drawing
