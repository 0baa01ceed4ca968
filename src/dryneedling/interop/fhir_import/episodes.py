"""EpisodeOfCare and Condition resources.

An EpisodeOfCare is an episode of its patient (status active/onhold/finished; type's text the
reason; period the dates; the referral-source extension). Its diagnosis list gives the position of
each Condition it names. A Condition is a diagnosis (ICD-10-CM) of the episode its episode-of-care
extension names, else of the EpisodeOfCare of the file that lists it, else of one episode per
patient per file, "Imported from <file name>", started on the day of the import. A Condition's
clinical status follows its episode's (as the export writes it) and is not read.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dryneedling.interop.fhir_import import identity
from dryneedling.interop.fhir_import.context import FileContext, Problem, a_date, reference_text
from dryneedling.interop.fhir_import.files import Entry
from dryneedling.interop.identifiers import BASE, EPISODE_EXTENSION
from dryneedling.interop.models import Kind
from dryneedling.patients.models import Episode, EpisodeCondition, Patient, ReferralSource
from dryneedling.patients.services import episode_create, episode_update
from dryneedling.patients.services_import import condition_import
from dryneedling.patients.validation import normalise_icd10

STATUS = {"active": "active", "onhold": "on_hold", "finished": "discharged"}
REFERRAL_EXTENSION = f"{BASE}/StructureDefinition/referral-source"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"


def patient_of(ctx: FileContext, reference: dict[str, Any] | None, element: str) -> Patient:
    pk = ctx.resolve(reference, "Patient")
    if pk is None:
        raise Problem(
            f"{element} {reference_text(reference)} names an unknown patient (not in this file, not imported)"
        )
    return Patient.objects.for_clinic(ctx.clinic).get(pk=pk)


def _extension(resource: dict[str, Any], url: str) -> dict[str, Any]:
    return next((e for e in resource.get("extension") or [] if e.get("url") == url), {})


def episode_fields(resource: dict[str, Any]) -> dict[str, Any]:
    status = resource.get("status")
    if status not in STATUS:
        raise Problem(f"status {status!r}: imported are {', '.join(STATUS)}")
    reason = next((str(t.get("text") or "") for t in resource.get("type") or [] if t.get("text")), "")
    if not reason.strip():
        raise Problem("an EpisodeOfCare needs a type with text (the reason the patient came)")
    period = resource.get("period") or {}
    if not period.get("start"):
        raise Problem("an EpisodeOfCare needs a period with a start")
    referral = _extension(resource, REFERRAL_EXTENSION).get("valueCode") or ReferralSource.SELF
    if referral not in ReferralSource.values:
        raise Problem(f"referral source {referral!r} is not one of {', '.join(ReferralSource.values)}")
    end = period.get("end")
    return {
        "status": STATUS[status],
        "reason": " ".join(reason.split()),
        "referral_source": referral,
        "start_date": a_date(period["start"], "period.start"),
        "end_date": a_date(end, "period.end") if end else None,
    }


def import_episode(ctx: FileContext, entry: Entry) -> str:
    resource = entry.resource
    patient = patient_of(ctx, resource.get("patient"), "patient")
    fields = episode_fields(resource)
    pairs = identity.identifiers_of(resource)
    episode = ctx.existing(Kind.EPISODE, pairs)
    if episode is not None and episode.patient_id != patient.pk:
        raise Problem("its identifier names an episode of another patient")
    if episode is None:
        episode = episode_create(actor=ctx.actor, patient=patient, conditions=[], **fields)
        outcome = "created"
    elif any(getattr(episode, name) != value for name, value in fields.items()):
        episode = episode_update(actor=ctx.actor, episode=episode, conditions=None, **fields)
        outcome = "updated"
    else:
        outcome = "unchanged"
    for item in resource.get("diagnosis") or []:
        reference = str((item.get("condition") or {}).get("reference") or "")
        rank = item.get("rank")
        if reference:
            ctx.diagnoses[reference] = (episode.pk, rank - 1 if isinstance(rank, int) and rank > 0 else None)
    return ctx.done(entry, Kind.EPISODE, episode.pk, pairs, outcome)


def episode_for(ctx: FileContext, entry: Entry, patient: Patient, current: int | None) -> Episode:
    """The episode a Condition or Observation belongs to (see the module's docstring); `current`,
    the episode of the record it updates, stays when the resource names none."""
    episodes = Episode.objects.for_clinic(ctx.clinic)
    value = _extension(entry.resource, EPISODE_EXTENSION).get("valueIdentifier")
    named = ctx.existing(Kind.EPISODE, identity.identifiers_of({"identifier": [value]})) if value else None
    pk = named.pk if named is not None else None
    if pk is None:  # an EpisodeOfCare of this file (or run) listing it as a diagnosis
        pk = next((ctx.diagnoses[k][0] for k in ctx.keys_of(entry) if k in ctx.diagnoses), current)
    if pk is not None:
        episode = episodes.get(pk=pk)
        if episode.patient_id != patient.pk:
            raise Problem("its episode of care is another patient's")
        return episode
    return _fallback(ctx, patient)


def _fallback(ctx: FileContext, patient: Patient) -> Episode:
    """The patient's episode for what this file gives no episode: one per patient per file name
    (the same file imported again finds it)."""
    reason = f"Imported from {ctx.path.name}"[:300]
    episodes = Episode.objects.for_clinic(ctx.clinic).filter(patient=patient)
    if patient.pk not in ctx.fallback_episodes:
        episode = episodes.filter(reason=reason).order_by("id").first()
        if episode is None:
            episode = episode_create(
                actor=ctx.actor, patient=patient, conditions=[], reason=reason, start_date=timezone.localdate()
            )
            ctx.count("EpisodeOfCare", "created")
        ctx.fallback_episodes[patient.pk] = episode.pk
    return episodes.get(pk=ctx.fallback_episodes[patient.pk])


def _icd10(resource: dict[str, Any]) -> tuple[str, str]:
    code = resource.get("code") or {}
    coding = next((c for c in code.get("coding") or [] if c.get("system") == ICD10 and c.get("code")), None)
    if coding is None:
        raise Problem(f"a Condition needs an ICD-10-CM coding (system {ICD10})")
    return normalise_icd10(str(coding["code"])), str(code.get("text") or coding.get("display") or "").strip()


def import_condition(ctx: FileContext, entry: Entry) -> str:
    resource = entry.resource
    patient = patient_of(ctx, resource.get("subject"), "subject")
    code, text = _icd10(resource)
    pairs = identity.identifiers_of(resource)
    condition = ctx.existing(Kind.CONDITION, pairs)
    episode = episode_for(ctx, entry, patient, condition.episode_id if condition else None)
    listed = [ctx.diagnoses[k] for k in ctx.keys_of(entry) if k in ctx.diagnoses]
    position = next((rank for pk, rank in listed if pk == episode.pk), None)
    if condition is None:  # the same diagnosis of the episode, named here for the first time
        condition = EpisodeCondition.objects.for_clinic(ctx.clinic).filter(episode=episode, code=code).first()
    if condition is not None and condition.episode_id != episode.pk:
        raise Problem("its identifier names a condition of another episode")
    changed = (
        condition is None
        or (condition.code, condition.text) != (code, text)
        or (position is not None and condition.position != position)
    )
    if changed:
        outcome = "created" if condition is None else "updated"
        condition = condition_import(
            actor=ctx.actor, episode=episode, code=code, text=text, position=position, condition=condition
        )
    else:
        outcome = "unchanged"
    return ctx.done(entry, Kind.CONDITION, condition.pk, pairs, outcome)
