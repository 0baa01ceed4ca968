"""Organization (the clinic) and Practitioner (the people who act in its records)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from dryneedling.accounts.models import Clinic, Membership, User
from dryneedling.followup.models import HomeCarePlan, SorenessReading
from dryneedling.intake.models import Screening
from dryneedling.interop.identifiers import BASE
from dryneedling.scheduling.models import Appointment
from dryneedling.treatment.models import AdverseEvent, Consent, Finding, Insertion, Session

from .base import NAMING_ACTORS, Ctx, Resource, Row, Spec, meta, raw

NPI = "http://hl7.org/fhir/sid/us-npi"
CLINIC_SYSTEM = f"{BASE}/clinic"


def organizations(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    for pk, slug, name, phone, address, npi, created in rows:
        identifier = [{"system": CLINIC_SYSTEM, "value": slug}]
        if npi:
            identifier.append({"system": NPI, "value": npi})
        res: Resource = {
            "resourceType": "Organization",
            "id": str(pk),
            "meta": meta(created),
            "identifier": identifier,
            "active": True,
            "name": name,
        }
        if phone:
            res["telecom"] = [{"system": "phone", "value": phone}]
        if address:
            res["address"] = [{"text": address}]
        yield res


def _clinic_rows(ctx: Ctx) -> Any:
    return Clinic.objects.filter(pk=ctx.clinic.pk)


# Who the exported resources name as actors (Encounter.participant, Procedure.performer, ...).
ACTOR_COLUMNS: tuple[tuple[Any, str], ...] = (
    (Session, "clinician_id"),
    (Appointment, "clinician_id"),
    (Insertion, "performed_by_id"),
    (AdverseEvent, "recorded_by_id"),
    (Consent, "recorded_by_id"),
    (Finding, "recorded_by_id"),
    (Screening, "performed_by_id"),
    (SorenessReading, "entered_by_id"),
    (HomeCarePlan, "updated_by_id"),
)


def _user_rows(ctx: Ctx) -> Any:
    """The clinic's members, and whoever the exported records name (a member who left keeps the
    sessions they did); for a patient subset, only those the subset's records name. After every
    type that names users was streamed with this context (a whole export: Practitioner comes last)
    those are known; otherwise the clinic's records are read for them."""
    ids: set[int] = set()
    if ctx.patient_ids is None:
        ids.update(Membership.objects.filter(clinic=ctx.clinic).values_list("user_id", flat=True))
    if NAMING_ACTORS <= ctx.streamed:
        return User.objects.filter(pk__in=sorted(ids | ctx.actors))
    for model, column in ACTOR_COLUMNS:
        qs = model.objects.for_clinic(ctx.clinic)
        if ctx.patient_ids is not None:
            path = "session__patient_id" if model is Insertion else "patient_id"
            qs = qs.filter(**{f"{path}__in": sorted(ctx.patient_ids)})
        ids.update(v for v in qs.order_by().values_list(column, flat=True).distinct() if v is not None)
    return User.objects.filter(pk__in=sorted(ids))


def practitioners(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    system = ctx.system("practitioner")
    for pk, full_name, email, active, joined in rows:
        yield {
            "resourceType": "Practitioner",
            "id": str(pk),
            "meta": meta(joined),
            "identifier": [{"system": system, "value": str(pk)}],
            "active": bool(active),
            "name": [{"text": full_name or email}],
            "telecom": [{"system": "email", "value": email}],
        }


ORGANIZATION = Spec(
    "Organization",
    Clinic,
    ("slug", "name", "phone", "address", "npi", "created_at"),
    organizations,
    patient=None,
    rows=_clinic_rows,
)


@dataclass(frozen=True)
class PractitionerSpec(Spec):
    def one(self, ctx: Ctx, pk: int) -> Resource | None:
        """One user: a member of the clinic, or named by one of its records (an index probe per
        table, not the reading of every record `_user_rows` does)."""
        named = Membership.objects.filter(clinic=ctx.clinic, user_id=pk).exists() or any(
            model.objects.for_clinic(ctx.clinic).filter(**{column: pk}).exists() for model, column in ACTOR_COLUMNS
        )
        if not named:
            return None
        rows = raw(User.objects.filter(pk=pk).values_list("pk", *self.selected))
        return next(iter(self.build(ctx, rows)), None)


PRACTITIONER = PractitionerSpec(
    "Practitioner",
    User,
    ("full_name", "email", "is_active", "date_joined"),
    practitioners,
    patient=None,
    rows=_user_rows,
)
