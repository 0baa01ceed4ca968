"""Patient, EpisodeOfCare and Condition (docs/fhir-mapping.md; the conventions shared with the
importers are in /work/wt/fhir-spec.md and interop.identifiers)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from dryneedling.interop.identifiers import BASE, EPISODE_EXTENSION, mrn_system
from dryneedling.interop.models import Kind
from dryneedling.patients.models import Episode, EpisodeCondition, Patient

from .base import ChildSpec, Ctx, Resource, Row, Spec, day, meta, raw, ref

EPISODE_STATUS = {"active": "active", "on_hold": "onhold", "discharged": "finished"}
REFERRAL_EXTENSION = f"{BASE}/StructureDefinition/referral-source"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"

PATIENT_COLUMNS = (
    "mrn",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "updated_at",
)


def patients(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    imported = ctx.identifiers(Kind.PATIENT, [r[0] for r in rows])
    mrn = mrn_system(ctx.clinic.slug)
    org = ctx.org_ref
    for pk, number, given, family, born, sex, phone, email, address, ec_name, ec_rel, ec_phone, updated in rows:
        res: Resource = {
            "resourceType": "Patient",
            "id": str(pk),
            "meta": meta(updated),
            "identifier": [*ctx.identifier_of(Kind.PATIENT, imported, pk), {"system": mrn, "value": number}],
            "name": [{"use": "official", "family": family, "given": [given]}],
            "gender": sex,
            "birthDate": day(born),
            "managingOrganization": org,
        }
        telecom = []
        if phone:
            telecom.append({"system": "phone", "value": phone})
        if email:
            telecom.append({"system": "email", "value": email})
        if telecom:
            res["telecom"] = telecom
        if address:
            res["address"] = [{"text": address}]
        if ec_name:
            contact: Resource = {"name": {"text": ec_name}}
            if ec_rel:
                contact["relationship"] = [{"text": ec_rel}]
            if ec_phone:
                contact["telecom"] = [{"system": "phone", "value": ec_phone}]
            res["contact"] = [contact]
        yield res


EPISODE_COLUMNS = ("patient_id", "reason", "referral_source", "start_date", "end_date", "status", "updated_at")


def _conditions_of(ctx: Ctx, episode_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """The conditions (pk, position) of these episodes, read over their range of pks."""
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if not episode_ids:
        return found
    wanted = set(episode_ids)
    rows = raw(
        EpisodeCondition.objects.for_clinic(ctx.clinic)
        .filter(episode_id__gte=min(wanted), episode_id__lte=max(wanted))
        .order_by("episode_id", "position", "id")
        .values_list("episode_id", "pk", "position")
    )
    for episode_id, pk, position in rows:
        if episode_id in wanted:
            found[episode_id].append((pk, position))
    return found


def episodes(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    pks = [r[0] for r in rows]
    imported = ctx.identifiers(Kind.EPISODE, pks)
    conditions = _conditions_of(ctx, pks)
    org = ctx.org_ref
    for pk, patient_id, reason, referral, start, end, status, updated in rows:
        period = {"start": day(start)}
        if end:
            period["end"] = day(end)
        res: Resource = {
            "resourceType": "EpisodeOfCare",
            "id": str(pk),
            "meta": meta(updated),
            "extension": [{"url": REFERRAL_EXTENSION, "valueCode": referral}],
            "identifier": ctx.identifier_of(Kind.EPISODE, imported, pk),
            "status": EPISODE_STATUS[status],
            "type": [{"text": reason}],
            "patient": ref("Patient", patient_id),
            "managingOrganization": org,
            "period": period,
        }
        if pk in conditions:
            res["diagnosis"] = [
                {"condition": ref("Condition", c), "rank": position + 1} for c, position in conditions[pk]
            ]
        yield res


def episode_identifiers(ctx: Ctx, episode_ids: list[int]) -> dict[int, dict[str, str]]:
    """The (first) identifier each episode is exported with: what Condition and Observation name."""
    imported = ctx.identifiers(Kind.EPISODE, episode_ids)
    return {pk: ctx.identifier_of(Kind.EPISODE, imported, pk)[0] for pk in episode_ids}


CONDITION_COLUMNS = ("episode_id", "episode__patient_id", "episode__status", "code", "text")


def conditions(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    imported = ctx.identifiers(Kind.CONDITION, [r[0] for r in rows])
    episode_ids = episode_identifiers(ctx, sorted({r[1] for r in rows}))
    category = [{"coding": [{"system": CATEGORY, "code": "encounter-diagnosis", "display": "Encounter Diagnosis"}]}]
    verification = {"coding": [{"system": VERIFICATION, "code": "confirmed"}]}
    for pk, episode_id, patient_id, status, code, text in rows:
        clinical = "resolved" if status == "discharged" else "active"
        yield {
            "resourceType": "Condition",
            "id": str(pk),
            "extension": [{"url": EPISODE_EXTENSION, "valueIdentifier": episode_ids[episode_id]}],
            "identifier": ctx.identifier_of(Kind.CONDITION, imported, pk),
            "clinicalStatus": {"coding": [{"system": CLINICAL, "code": clinical}]},
            "verificationStatus": verification,
            "category": category,
            "code": {"coding": [{"system": ICD10CM, "code": code}], "text": text},
            "subject": ref("Patient", patient_id),
        }


SPECS = (
    Spec("Patient", Patient, PATIENT_COLUMNS, patients, stamp="updated_at", patient="pk"),
    Spec("EpisodeOfCare", Episode, EPISODE_COLUMNS, episodes, stamp="updated_at"),
    ChildSpec(
        "Condition",
        EpisodeCondition,
        CONDITION_COLUMNS,
        conditions,
        stamp="episode__updated_at",
        patient="episode__patient_id",
        parent=Episode,
        via="episode",
    ),
)
