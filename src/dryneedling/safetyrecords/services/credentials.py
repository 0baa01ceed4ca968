"""Clinicians' profession and dry-needling training records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.selectors import clinic_for
from dryneedling.clinical.npi import npi_is_valid
from dryneedling.safetyrecords.models import ClinicianProfile, Profession, TrainingRecord
from dryneedling.safetyrecords.services.common import may_record_credentials_of, text

MAX_HOURS = Decimal("1000")
EARLIEST_COURSE = date(1970, 1, 1)


def _hours(value: Decimal | float | int | str) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": "Enter the course hours as a number, such as 27 or 54.5."}) from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise ValidationError({"hours": "Course hours must be more than 0 and at most 1000."})
    return hours


@transaction.atomic
def training_record_add(
    *,
    actor: User,
    clinician: User,
    course: str,
    provider: str,
    hours: Decimal | float | int | str,
    completed_on: date,
    certificate: str = "",
    covers_electrical: bool = False,
) -> TrainingRecord:
    membership = may_record_credentials_of(actor=actor, clinician=clinician)
    course = text(course, field="course", label="Course", minimum=2, maximum=200)
    provider = text(provider, field="provider", label="Provider", minimum=2, maximum=200)
    certificate = text(certificate, field="certificate", label="Certificate", minimum=0, maximum=300)
    amount = _hours(hours)
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The completion date cannot be in the future."})
    if completed_on < EARLIEST_COURSE:
        raise ValidationError({"completed_on": "Check the completion date: it is before 1970."})
    record = TrainingRecord.objects.create(
        clinic=membership.clinic,
        clinician=clinician,
        course=course,
        provider=provider,
        hours=amount,
        completed_on=completed_on,
        certificate=certificate,
        covers_electrical=bool(covers_electrical),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="training_record.create",
        obj=record,
        detail={"clinician_id": clinician.pk, "hours": str(amount), "covers_electrical": record.covers_electrical},
    )
    return record


@transaction.atomic
def training_record_retire(*, actor: User, record_id: int, reason: str) -> TrainingRecord:
    """Take a record out of the clinician's totals (entered in error, superseded); it stays readable."""
    record = (
        TrainingRecord.objects.select_for_update()
        .select_related("clinician")
        .filter(clinic=clinic_for(actor=actor), pk=record_id)
        .first()
    )
    if record is None:
        raise ValidationError("No such training record.")
    may_record_credentials_of(actor=actor, clinician=record.clinician)
    if record.retired_at is not None:
        raise ValidationError("This training record is retired already.")
    record.retire_reason = text(reason, field="reason", label="Reason", minimum=3, maximum=300)
    record.retired_at, record.retired_by = timezone.now(), actor
    record.save(update_fields=["retired_at", "retired_by", "retire_reason"])
    audit_record(actor=actor, action="training_record.retire", obj=record, detail={"clinician_id": record.clinician_id})
    return record


@transaction.atomic
def clinician_profile_set(
    *,
    actor: User,
    clinician: User,
    profession: str,
    licence_number: str | None = None,
    credentials: str | None = None,
    npi: str | None = None,
) -> ClinicianProfile:
    """The clinician's profession, licence, credentials ("PT, DPT") and individual NPI: the last two
    print on the superbill as the rendering provider's. A field left out (None) keeps what is
    stored; an empty string clears it."""
    membership = may_record_credentials_of(actor=actor, clinician=clinician)
    if profession not in Profession.values:
        raise ValidationError({"profession": "Choose a profession from the list."})
    stored = ClinicianProfile.objects.filter(user=clinician).values("licence_number", "credentials", "npi").first()
    kept = stored or {"licence_number": "", "credentials": "", "npi": ""}
    licence_number = kept["licence_number"] if licence_number is None else licence_number
    credentials = kept["credentials"] if credentials is None else credentials
    npi = kept["npi"] if npi is None else npi
    licence_number = text(licence_number, field="licence_number", label="Licence number", minimum=0, maximum=60)
    credentials = text(credentials, field="credentials", label="Credentials", minimum=0, maximum=40)
    npi = "".join(npi.split())
    if npi and not npi_is_valid(npi):
        raise ValidationError(
            {"npi": "This is not a valid NPI: 10 digits whose last is the check digit (look it up in NPPES)."}
        )
    profile, created = ClinicianProfile.objects.update_or_create(
        user=clinician,
        defaults={
            "clinic": membership.clinic,
            "profession": profession,
            "licence_number": licence_number,
            "credentials": credentials,
            "npi": npi,
            "updated_by": actor,
            "updated_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action="clinician_profile.create" if created else "clinician_profile.update",
        obj=profile,
        detail={"clinician_id": clinician.pk, "profession": profession, "credentials": credentials, "npi": npi},
    )
    return profile
