"""Writes of patient data. Each write is audited in the same transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.selectors import clinic_for
from dryneedling.patients.limits import too_many_conditions
from dryneedling.patients.models import (
    Episode,
    EpisodeCondition,
    EpisodeStatus,
    MrnCounter,
    Patient,
    ReferralSource,
    Sex,
)
from dryneedling.patients.selectors import episode_get_for, patient_get_for
from dryneedling.patients.services_search import search_terms_write
from dryneedling.patients.validation import (
    PHONE_PUNCTUATION,
    phone_digits,
    reject_control_characters,
    validate_birth_date,
    validate_body_size,
    validate_mrn,
    validate_npi,
)

PATIENT_FIELDS = (
    "mrn",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address",
    "notes",
    "height_cm",
    "weight_kg",
    "decision_maker_name",
    "decision_maker_relationship",
    "insurance_payer",
    "insurance_member_id",
    "insurance_medicare",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "referring_physician_name",
    "referring_physician_npi",
    "referring_physician_phone",
    "appointment_reminders_opt_out",
)
NUMBER_FIELDS = ("height_cm", "weight_kg")
BOOLEAN_FIELDS = ("insurance_medicare", "appointment_reminders_opt_out")
EPISODE_FIELDS = ("reason", "referral_source", "start_date", "end_date", "status")
MAX_LENGTHS = {
    "mrn": 32,
    "given_name": 100,
    "family_name": 100,
    "phone": 32,
    "email": 254,
    "address": 300,
    "notes": 5000,
    "reason": 300,
    "decision_maker_name": 200,
    "decision_maker_relationship": 100,
    "insurance_payer": 200,
    "insurance_member_id": 64,
    "emergency_contact_name": 200,
    "emergency_contact_relationship": 100,
    "emergency_contact_phone": 32,
    "referring_physician_name": 200,
    "referring_physician_npi": 10,
    "referring_physician_phone": 32,
}


MULTILINE_FIELDS = {"notes"}


def _clean_text(data: dict[str, Any]) -> None:
    for field, value in data.items():
        if isinstance(value, str):
            reject_control_characters(value, field=field, multiline=field in MULTILINE_FIELDS)
            data[field] = value.strip()
            if field in MAX_LENGTHS and len(data[field]) > MAX_LENGTHS[field]:
                raise ValidationError({field: f"At most {MAX_LENGTHS[field]} characters."})


def _validate_patient(data: dict[str, Any]) -> None:
    _clean_text(data)
    for field in ("mrn", "given_name", "family_name"):
        if not data.get(field):
            raise ValidationError({field: "This field is required."})
    validate_mrn(data["mrn"])
    if not isinstance(data.get("date_of_birth"), date):
        raise ValidationError({"date_of_birth": "Enter a date of birth."})
    validate_birth_date(data["date_of_birth"], today=timezone.localdate())
    if data.get("sex") not in Sex.values:
        raise ValidationError({"sex": f"Sex must be one of {', '.join(Sex.values)}."})
    validate_body_size(height_cm=data.get("height_cm"), weight_kg=data.get("weight_kg"))
    if data.get("decision_maker_name") and not data.get("decision_maker_relationship"):
        raise ValidationError({"decision_maker_relationship": "Say how the decision-maker is related to the patient."})
    _validate_contacts(data)


def _validate_contacts(data: dict[str, Any]) -> None:
    """Email, insurance, emergency contact and referring physician: all optional, but each coherent."""
    if data.get("email"):
        try:
            validate_email(data["email"])
        except ValidationError:
            raise ValidationError({"email": "Enter a valid email address, e.g. name@example.com."}) from None
    if not isinstance(data.get("insurance_medicare"), bool):
        raise ValidationError({"insurance_medicare": "Say whether Medicare covers the patient (yes or no)."})
    if not isinstance(data.get("appointment_reminders_opt_out", False), bool):
        raise ValidationError({"appointment_reminders_opt_out": "Say whether the patient wants appointment reminders."})
    if data.get("insurance_member_id") and not (data.get("insurance_payer") or data["insurance_medicare"]):
        raise ValidationError({"insurance_payer": "Name the payer the member ID belongs to."})
    for field in ("phone", "emergency_contact_phone", "referring_physician_phone"):
        value = data.get(field) or ""
        if value and (len(phone_digits(value)) < 3 or any(not (c.isdigit() or c in PHONE_PUNCTUATION) for c in value)):
            raise ValidationError({field: "A phone number is digits, spaces and + - ( ) . / only."})
    has_contact = data.get("emergency_contact_relationship") or data.get("emergency_contact_phone")
    if has_contact and not data.get("emergency_contact_name"):
        raise ValidationError({"emergency_contact_name": "Name the emergency contact."})
    if data.get("emergency_contact_name") and not data.get("emergency_contact_phone"):
        raise ValidationError({"emergency_contact_phone": "Give a phone number for the emergency contact."})
    if (data.get("referring_physician_npi") or data.get("referring_physician_phone")) and not data.get(
        "referring_physician_name"
    ):
        raise ValidationError({"referring_physician_name": "Name the referring physician."})
    validate_npi(data.get("referring_physician_npi") or "")


def _save_unique_mrn(patient: Patient) -> None:
    if Patient.objects.for_clinic(patient.clinic_id).filter(mrn=patient.mrn).exclude(pk=patient.pk).exists():
        raise ValidationError({"mrn": "Another patient of this clinic has this MRN."})
    try:
        with transaction.atomic():
            patient.save()
            search_terms_write(patient)
    except IntegrityError:  # a concurrent insert with the same MRN won the race
        raise ValidationError({"mrn": "Another patient of this clinic has this MRN."}) from None


def _field_defaults() -> dict[str, Any]:
    return {f: None if f in NUMBER_FIELDS else False if f in BOOLEAN_FIELDS else "" for f in PATIENT_FIELDS}


# How many numbers past the counter one allocation looks at for an MRN nobody has (imported
# or seeded MRNs in the automatic format are skipped, never reused).
MRN_PROBE = 50


def _format_mrn(*, clinic: Clinic, number: int) -> str:
    year = timezone.localdate().year
    return str(settings.MRN_FORMAT).format(n=number, clinic=clinic.slug.upper(), year=year)


def _next_mrn(clinic: Clinic) -> str:
    """The clinic's next automatic MRN. The counter row is locked until the patient is saved
    (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction already holds the
    write lock), so two creates at once get different numbers; the unique constraint backs it."""
    MrnCounter.objects.get_or_create(clinic=clinic)
    counter = MrnCounter.objects.select_for_update().get(clinic=clinic)
    number = counter.next_number
    while True:
        candidates = {_format_mrn(clinic=clinic, number=n): n for n in range(number, number + MRN_PROBE)}
        taken = set(Patient.objects.for_clinic(clinic).filter(mrn__in=list(candidates)).values_list("mrn", flat=True))
        free = [(n, mrn) for mrn, n in candidates.items() if mrn not in taken]
        if free:
            number, mrn = min(free)
            break
        number += MRN_PROBE
    validate_mrn(mrn)  # a format that makes a bad MRN is a configuration error, said in words
    counter.next_number = number + 1
    counter.save(update_fields=["next_number"])
    return mrn


@transaction.atomic
def mrns_reserve(*, clinic: Clinic, count: int) -> list[str]:
    """The clinic's next `count` automatic MRNs, the counter moved past them: for a bulk load
    (the demo's synthetic patients) that new patients then continue."""
    return [_next_mrn(clinic) for _ in range(count)]


@transaction.atomic
def patient_create(*, actor: User, **fields: Any) -> Patient:
    """Create a patient. Without an MRN (or an empty one) the clinic's next automatic MRN is
    assigned (settings.MRN_FORMAT); a typed MRN (e.g. imported from another system) is kept."""
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown patient fields: {', '.join(sorted(unknown))}.")
    data = _field_defaults() | {k: v for k, v in fields.items() if v is not None or k in NUMBER_FIELDS}
    clinic = clinic_for(actor=actor)
    automatic = not str(data.get("mrn") or "").strip()
    if automatic:
        data["mrn"] = "0"  # validated with the rest; the real number is drawn last, inside the lock
    _validate_patient(data)
    if automatic:
        data["mrn"] = _next_mrn(clinic)
    patient = Patient(clinic=clinic, **data)
    _save_unique_mrn(patient)
    audit_record(
        actor=actor, action="patient.create", obj=patient, detail={"mrn": "automatic" if automatic else "typed"}
    )
    return patient


@transaction.atomic
def patient_update(*, actor: User, patient: Patient, **fields: Any) -> Patient:
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown patient fields: {', '.join(sorted(unknown))}.")
    current = patient_get_for(actor=actor, patient_id=patient.pk)
    data = {field: fields.get(field, getattr(current, field)) for field in PATIENT_FIELDS}
    _validate_patient(data)
    changed = sorted(field for field in PATIENT_FIELDS if getattr(current, field) != data[field])
    for field, value in data.items():
        setattr(current, field, value)
    current.updated_at = timezone.now()
    _save_unique_mrn(current)
    # Field names only: the audit trail holds no patient data.
    audit_record(actor=actor, action="patient.update", obj=current, detail={"fields": changed})
    return current


def patient_view(*, actor: User, patient_id: int) -> Patient:
    """Open a patient's record for display, leaving a 'patient.view' audit row.

    Not atomic on purpose: a denied lookup raises Http404, and its 'denied' audit row must
    not be rolled back with the transaction.
    """
    patient = patient_get_for(actor=actor, patient_id=patient_id)
    audit_record(actor=actor, action="patient.view", obj=patient)
    return patient


def _validate_episode(data: dict[str, Any]) -> None:
    _clean_text(data)
    if not data.get("reason"):
        raise ValidationError({"reason": "Say why the patient came (e.g. neck pain after a fall)."})
    if data.get("referral_source") not in ReferralSource.values:
        raise ValidationError({"referral_source": "Choose a referral source."})
    if data.get("status") not in EpisodeStatus.values:
        raise ValidationError({"status": "Choose a status."})
    start, end = data.get("start_date"), data.get("end_date")
    if not isinstance(start, date):
        raise ValidationError({"start_date": "Enter the start date."})
    today = timezone.localdate()
    if start > today:
        raise ValidationError({"start_date": "An episode cannot start in the future."})
    if end is not None and end < start:
        raise ValidationError({"end_date": "The end date is before the start date."})
    if end is not None and end > today:
        raise ValidationError({"end_date": "The end date cannot be in the future."})
    if data.get("status") == EpisodeStatus.DISCHARGED and end is None:
        raise ValidationError({"end_date": "A discharged episode needs an end date."})


def _set_conditions(episode: Episode, conditions: list[tuple[str, str]]) -> None:
    message = too_many_conditions(len(conditions))
    if message:
        raise ValidationError({"conditions": message})
    episode.conditions.all().delete()
    EpisodeCondition.objects.bulk_create(
        EpisodeCondition(episode=episode, code=code, text=text, position=index)
        for index, (code, text) in enumerate(conditions)
    )


@transaction.atomic
def episode_create(*, actor: User, patient: Patient, conditions: list[tuple[str, str]], **fields: Any) -> Episode:
    patient = patient_get_for(actor=actor, patient_id=patient.pk)
    data = {field: fields.get(field) for field in EPISODE_FIELDS}
    data["status"] = data["status"] or EpisodeStatus.ACTIVE
    data["referral_source"] = data["referral_source"] or ReferralSource.SELF
    _validate_episode(data)
    episode = Episode.objects.create(clinic=patient.clinic, patient=patient, **data)
    _set_conditions(episode, conditions)
    audit_record(actor=actor, action="episode.create", obj=episode, detail={"patient_id": patient.pk})
    return episode


@transaction.atomic
def episode_update(
    *, actor: User, episode: Episode, conditions: list[tuple[str, str]] | None, **fields: Any
) -> Episode:
    """Change an episode. `conditions` replaces its diagnosis list; None leaves the list (and its
    rows) as it is (an import changes conditions one by one: patients.services_import)."""
    current = episode_get_for(actor=actor, episode_id=episode.pk)
    data = {field: fields.get(field, getattr(current, field)) for field in EPISODE_FIELDS}
    _validate_episode(data)
    changed = sorted(field for field in EPISODE_FIELDS if getattr(current, field) != data[field])
    old_codes = [c.code for c in current.conditions.all()]
    if conditions is not None and old_codes != [code for code, _ in conditions]:
        changed.append("conditions")
    for field, value in data.items():
        setattr(current, field, value)
    current.updated_at = timezone.now()
    current.save()
    if conditions is not None:
        _set_conditions(current, conditions)
    audit_record(actor=actor, action="episode.update", obj=current, detail={"fields": changed})
    return current
