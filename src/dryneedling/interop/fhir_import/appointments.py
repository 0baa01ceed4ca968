"""Appointment resources: the patient and the clinician from the participants, the type by its
name (one of the clinic's types, active or not; an import creates none), start and end as written
(each the moment its offset says), the status by the shared mapping, the episode from
supportingInformation. The clinician is the Practitioner's: the clinician of this clinic its email
names; when it names none (or the appointment names no Practitioner), the `--clinician` of the
import; else an error.
"""

from __future__ import annotations

from typing import Any

from dryneedling.accounts.models import User
from dryneedling.interop.fhir_import import identity
from dryneedling.interop.fhir_import.context import FileContext, Problem, a_moment, reference_text
from dryneedling.interop.fhir_import.episodes import patient_of
from dryneedling.interop.fhir_import.files import Entry
from dryneedling.interop.models import Kind
from dryneedling.patients.models import Episode, Patient
from dryneedling.scheduling.models import AppointmentType
from dryneedling.scheduling.services import appointment_types_seed
from dryneedling.scheduling.services_import import appointment_import

STATUS = {
    "booked": "booked",
    "arrived": "arrived",
    "checked-in": "in_session",
    "fulfilled": "done",
    "noshow": "no_show",
    "cancelled": "cancelled",
}


def patient_participant(ctx: FileContext, resource: dict[str, Any]) -> Patient:
    """The participant that is a patient (of this file, an earlier one, or imported before)."""
    actors = [p.get("actor") or {} for p in resource.get("participant") or []]
    for actor in actors:
        if ctx.resolve(actor, "Patient") is not None:
            return patient_of(ctx, actor, "participant")
    named = next((a for a in actors if "Patient" in str(a.get("reference") or a.get("type") or "")), None)
    return patient_of(ctx, named, "participant")


def clinician_of(ctx: FileContext, resource: dict[str, Any]) -> User:
    """The clinician: a Practitioner participant (of this file or an earlier one of the run) by
    its email, else the import's --clinician."""
    found: User | str | None = None
    for participant in resource.get("participant") or []:
        text = str((participant.get("actor") or {}).get("reference") or "")
        found = ctx.practitioners.get(text) or ctx.run.practitioners.get(text)
        if found is not None:
            break
        if text.startswith("Practitioner/") or "/Practitioner/" in text:
            found = f"{text} is not in the import"
            break
    if isinstance(found, User):
        return found
    if ctx.run.clinician is not None:
        return ctx.run.clinician
    reason = found or "it names no Practitioner"
    raise Problem(f"no clinician for the appointment: {reason}; give --clinician EMAIL to book it with")


def type_of(ctx: FileContext, resource: dict[str, Any]) -> AppointmentType:
    concept = resource.get("appointmentType") or {}
    coding = (concept.get("coding") or [{}])[0]
    name = " ".join(str(concept.get("text") or coding.get("display") or "").split())
    types = appointment_types_seed(clinic=ctx.clinic)  # a new clinic's first booking makes the defaults too
    found = next((t for t in types if t.name.casefold() == name.casefold()), None)
    if found is None:
        named = f"appointment type {name!r} is not" if name else "the appointment names no type:"
        raise Problem(f"{named} one of this clinic's ({', '.join(t.name for t in types)}); an import creates none")
    return found


def _names_an_episode(reference: dict[str, Any]) -> bool:
    text = str(reference.get("reference") or "")
    return reference.get("type") == "EpisodeOfCare" or text.startswith("EpisodeOfCare/") or "/EpisodeOfCare/" in text


def import_appointment(ctx: FileContext, entry: Entry) -> str:
    resource = entry.resource
    status = resource.get("status")
    if status not in STATUS:
        raise Problem(f"status {status!r}: imported are {', '.join(STATUS)}")
    if not resource.get("start") or not resource.get("end"):
        raise Problem("an Appointment needs its start and end")
    starts_at, ends_at = a_moment(resource["start"], "start"), a_moment(resource["end"], "end")
    patient = patient_participant(ctx, resource)
    clinician = clinician_of(ctx, resource)
    appointment_type = type_of(ctx, resource)
    episode = None
    for info in resource.get("supportingInformation") or []:
        pk = ctx.resolve(info, "EpisodeOfCare")
        if pk is not None:
            episode = Episode.objects.for_clinic(ctx.clinic).get(pk=pk)
        elif _names_an_episode(info):  # not an appointment without its episode, silently
            raise Problem(f"supportingInformation {reference_text(info)} names an unknown episode of care")
    reason = str((resource.get("cancelationReason") or {}).get("text") or "")
    fields: dict[str, Any] = {
        "clinician": clinician,
        "patient": patient,
        "appointment_type": appointment_type,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "status": STATUS[status],
        "cancel_reason": " ".join(reason.split()),
        "episode": episode,
    }
    pairs = identity.identifiers_of(resource)
    appointment = ctx.existing(Kind.APPOINTMENT, pairs)
    if appointment is not None and appointment.patient_id != patient.pk:  # as episodes, conditions, scores
        raise Problem("its identifier names an appointment of another patient")
    if appointment is not None and all(getattr(appointment, k) == v for k, v in fields.items()):
        outcome = "unchanged"
    else:
        outcome = "created" if appointment is None else "updated"
        appointment = appointment_import(actor=ctx.actor, appointment=appointment, **fields)
    return ctx.done(entry, Kind.APPOINTMENT, appointment.pk, pairs, outcome)
