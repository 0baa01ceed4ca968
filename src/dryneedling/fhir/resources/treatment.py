"""Encounter (a session), AdverseEvent (a side effect) and Consent. Procedure (the bulk: one per
insertion) is in procedures.py."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.interop.identifiers import BASE
from dryneedling.treatment.models import AdverseEvent, Consent, Session

from .base import Ctx, Resource, Row, Spec, instant, json, meta, own_identifier, ref

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
AMBULATORY = {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"}
SESSION_TYPE = [{"text": "Trigger-point dry needling session"}]
ENCOUNTER_STATUS = {"in_progress": "in-progress", "completed": "finished"}

SESSION_COLUMNS = ("patient_id", "episode_id", "clinician_id", "status", "started_at", "ended_at")


def encounters(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    org = ctx.org_ref
    system = ctx.system("session")
    for pk, patient_id, episode_id, clinician_id, status, started, ended in rows:
        ctx.actors.add(clinician_id)
        period = {"start": instant(started)}
        if ended is not None:
            period["end"] = instant(ended)
        yield {
            "resourceType": "Encounter",
            "id": str(pk),
            "identifier": [{"system": system, "value": str(pk)}],
            "status": ENCOUNTER_STATUS[status],
            "class": AMBULATORY,
            "type": SESSION_TYPE,
            "subject": ref("Patient", patient_id),
            "episodeOfCare": [ref("EpisodeOfCare", episode_id)],
            "participant": [{"individual": ref("Practitioner", clinician_id)}],
            "period": period,
            "serviceProvider": org,
        }


# AdverseEvent: the knowledge base's three classes (clinical/data/side_effects.yaml; White et al. via
# Physiotherapy Alberta, clinical-dossier.md 4c) on FHIR's severity and seriousness value sets.
AE_SEVERITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_SERIOUSNESS_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_OUTCOME_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
AE_SEVERITY = {"mild": "mild", "significant": "moderate", "serious": "severe"}
SIDE_EFFECT_SYSTEM = f"{BASE}/CodeSystem/side-effect"

AE_COLUMNS = (
    "patient_id",
    "session_id",
    "kind",
    "severity",
    "onset",
    "onset_at",
    "resolved_at",
    "management",
    "notes",
    "recorded_by_id",
    "recorded_at",
)


def _coded(system: str, code: str, display: str | None = None) -> Resource:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def adverse_events(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    side_effects = get_knowledge().side_effects
    system = ctx.system("adverse_event")
    for row in rows:
        pk, patient_id, session_id, kind, severity, onset, onset_at, resolved, management, notes, by, recorded = row
        ctx.actors.add(by)
        known = side_effects.get(kind)
        name = known.name if known is not None else kind.replace("_", " ")
        event = _coded(SIDE_EFFECT_SYSTEM, kind, name)
        event["text"] = name
        serious = severity == "serious"
        res: Resource = {
            "resourceType": "AdverseEvent",
            "id": str(pk),
            "meta": meta(recorded),
            "identifier": {"system": system, "value": str(pk)},
            "actuality": "actual",
            "event": event,
            "subject": ref("Patient", patient_id),
            "encounter": ref("Encounter", session_id),
            "date": instant(onset_at),
            "recordedDate": instant(recorded),
            "recorder": ref("Practitioner", by),
            "seriousness": _coded(AE_SERIOUSNESS_SYSTEM, "serious" if serious else "non-serious"),
            "severity": _coded(AE_SEVERITY_SYSTEM, AE_SEVERITY[severity]),
            "outcome": _coded(AE_OUTCOME_SYSTEM, "resolved" if resolved is not None else "ongoing"),
        }
        extension = [{"url": f"{BASE}/StructureDefinition/adverse-event-onset", "valueCode": onset}]
        if resolved is not None:
            extension.append({"url": f"{BASE}/StructureDefinition/resolved-at", "valueDateTime": instant(resolved)})
        res["extension"] = extension
        text = " ".join(part for part in (management and f"Management: {management}", notes) if part)
        if text:
            res["text"] = _narrative(text)
        yield res


def _narrative(text: str) -> Resource:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{escaped}</div>'}


CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_COLUMNS = (
    "patient_id",
    "version",
    "items",
    "signed_name",
    "signer",
    "recorded_by_id",
    "recorded_at",
    "withdrawn_at",
    "covers_chest_and_neck",
)
CONSENT_ITEM_SYSTEM = f"{BASE}/CodeSystem/consent-item"


def consents(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    org = ctx.org_ref
    scope = _coded(CONSENT_SCOPE, "treatment", "Treatment")
    category = [{"text": "Consent to trigger-point dry needling"}]
    for pk, patient_id, version, items, signed_name, signer, by, recorded, withdrawn, chest in rows:
        patient = ref("Patient", patient_id)
        signed = {**patient, "display": signed_name} if signer == "patient" else {"display": signed_name}
        provision: Resource = {"type": "permit", "period": {"start": instant(recorded)}}
        if withdrawn is not None:
            provision["period"]["end"] = instant(withdrawn)
        codes = [{"coding": [{"system": CONSENT_ITEM_SYSTEM, "code": str(item)}]} for item in json(items) or ()]
        if codes:
            provision["code"] = codes
        res: Resource = {
            "resourceType": "Consent",
            "id": str(pk),
            "meta": meta(withdrawn or recorded),
            "identifier": own_identifier(ctx, "consent", pk),
            "status": "inactive" if withdrawn is not None else "active",
            "scope": scope,
            "category": category,
            "patient": patient,
            "dateTime": instant(recorded),
            "performer": [signed],
            "organization": [org],
            "policyRule": {"text": f"Clinic consent form {version}" + (", chest wall and neck" if chest else "")},
            "provision": provision,
        }
        if by is not None:
            ctx.actors.add(by)
            res["extension"] = [
                {"url": f"{BASE}/StructureDefinition/recorded-by", "valueReference": ref("Practitioner", by)}
            ]
        yield res


SPECS = (
    Spec("Encounter", Session, SESSION_COLUMNS, encounters, stamp=("started_at", "ended_at"), names_actors=True),
    Spec(
        "AdverseEvent",
        AdverseEvent,
        AE_COLUMNS,
        adverse_events,
        stamp=("recorded_at", "resolved_at"),
        names_actors=True,
    ),
    Spec("Consent", Consent, CONSENT_COLUMNS, consents, stamp=("recorded_at", "withdrawn_at"), names_actors=True),
)
