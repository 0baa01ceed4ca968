"""Patient and Practitioner resources.

A Patient is the record its identifiers name (identity.find), else the patient holding the MRN it
carries under this clinic's MRN system, else a new patient: with that MRN when it is free, else the
clinic's next automatic MRN (the outside MRN is kept as an identifier). A found patient's mapped
fields follow the file (an element the file leaves out is empty, as the export leaves empties out);
fields the FHIR mapping does not carry (notes, insurance, body size...) are kept; the MRN is the
clinic's and is never changed by an import.

A Practitioner is not written: its email names a clinician of this clinic, whom the appointments
that refer to it are booked with.
"""

from __future__ import annotations

from typing import Any

from dryneedling.accounts.models import Membership, User
from dryneedling.interop.fhir_import import identity
from dryneedling.interop.fhir_import.context import FileContext, Problem, a_date
from dryneedling.interop.fhir_import.files import Entry
from dryneedling.interop.identifiers import mrn_system
from dryneedling.interop.models import Kind
from dryneedling.patients.models import Patient
from dryneedling.patients.services import patient_create, patient_update

SEXES = ("female", "male", "other", "unknown")


def _first(items: list[dict[str, Any]] | None, system: str) -> str:
    return next((str(t.get("value") or "") for t in items or [] if t.get("system") == system and t.get("value")), "")


def _text(concept: dict[str, Any] | None) -> str:
    if not concept:
        return ""
    coding = (concept.get("coding") or [{}])[0]
    return str(concept.get("text") or coding.get("display") or coding.get("code") or "")


def _name(resource: dict[str, Any]) -> tuple[str, str]:
    names = resource.get("name") or []
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    return " ".join(name.get("given") or []), str(name.get("family") or "")


def patient_fields(resource: dict[str, Any]) -> dict[str, Any]:
    """The patient's fields the FHIR mapping carries (docs/decisions.md, issue 13 — FHIR import)."""
    given, family = _name(resource)
    if not given or not family:
        raise Problem("a Patient needs a name with a family and a given name")
    gender = resource.get("gender") or "unknown"
    if gender not in SEXES:
        raise Problem(f"gender {gender!r} is not one of {', '.join(SEXES)}")
    if not resource.get("birthDate"):
        raise Problem("a Patient needs a birthDate")
    addresses = resource.get("address") or [{}]
    address = addresses[0].get("text") or ", ".join(
        str(part)
        for part in [*addresses[0].get("line", []), *(addresses[0].get(k) for k in ("city", "state", "postalCode"))]
        if part
    )
    contact: dict[str, Any] = next((c for c in resource.get("contact") or [] if c.get("name")), {})
    contact_name = contact.get("name") or {}
    fields = {
        "given_name": given,
        "family_name": family,
        "sex": gender,
        "date_of_birth": a_date(resource["birthDate"], "birthDate"),
        "phone": _first(resource.get("telecom"), "phone"),
        "email": _first(resource.get("telecom"), "email"),
        "address": address,
        "emergency_contact_name": str(contact_name.get("text") or " ".join(_name({"name": [contact_name]})).strip()),
        "emergency_contact_relationship": _text((contact.get("relationship") or [None])[0]),
        "emergency_contact_phone": _first(contact.get("telecom"), "phone"),
    }
    # As the service keeps them (stripped), so an unchanged resource compares equal.
    return {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}


def import_patient(ctx: FileContext, entry: Entry) -> str:
    clinic, actor = ctx.clinic, ctx.actor
    pairs = identity.identifiers_of(entry.resource)
    fields = patient_fields(entry.resource)
    mrn = next((value for system, value in pairs if system == mrn_system(clinic.slug)), "")
    patient = ctx.existing(Kind.PATIENT, pairs)
    if patient is not None and mrn and patient.mrn != mrn and identity.by_own_number(clinic, Kind.PATIENT, pairs):
        # The export writes a patient's own identifier with its MRN: another MRN is another
        # person, e.g. of another installation whose clinic has this slug (the numbers collide).
        raise Problem(
            f"its identifier names patient {patient.pk} of this clinic, whose MRN is not {mrn!r}: "
            "another database's record with this clinic's slug?"
        )
    if patient is None and mrn:
        patient = Patient.objects.for_clinic(clinic).filter(mrn=mrn).first()
    if patient is None:
        patient = patient_create(actor=actor, mrn=mrn, **fields)
        outcome = "created"
    elif any(getattr(patient, name) != value for name, value in fields.items()):
        patient = patient_update(actor=actor, patient=patient, **fields)
        outcome = "updated"
    else:
        outcome = "unchanged"
    if patient.mrn != mrn and mrn:  # this clinic's MRN system, but the number went to someone else
        pairs = [p for p in pairs if p[0] != mrn_system(clinic.slug)]
    return ctx.done(entry, Kind.PATIENT, patient.pk, pairs, outcome)


def import_practitioner(ctx: FileContext, entry: Entry) -> str:
    """Remember which clinician the Practitioner is (or why none): used when an Appointment names it."""
    email = _first(entry.resource.get("telecom"), "email").strip().lower()
    found: User | str = f"Practitioner {entry.resource.get('id', '')} has no email"
    if email:
        membership = (
            Membership.objects.select_related("user")
            .filter(clinic=ctx.clinic, is_clinician=True, user__is_active=True, user__email__iexact=email)
            .first()
        )
        found = membership.user if membership else f"{email} is not a clinician of this clinic"
    for key in ctx.keys_of(entry):
        ctx.practitioners[key] = found
    return "unchanged"
