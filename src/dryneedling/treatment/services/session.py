"""Starting a session, checking and recording insertions, completing the session."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.clinical import bodychart
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.referral import trigger_point_markers
from dryneedling.clinical.safety import InsertionContext, PlannedInsertion, check_insertion
from dryneedling.clinical.screening import site_region_ids
from dryneedling.patients.models import Episode
from dryneedling.patients.selectors import episode_get_for
from dryneedling.treatment.models import Finding, Insertion, Payer, Session, Technique
from dryneedling.treatment.selectors import session_get_for, session_readiness_for
from dryneedling.treatment.services.common import bump_version, require_clinician

# What can change between visits (pre-session checklist). A "yes" to any of the first three
# means the stored screening no longer describes the patient: screen again before needling.
CHECKLIST_RESCREEN = {
    "new_anticoagulants": "New anticoagulant or antiplatelet medication",
    "possibly_pregnant": "Pregnancy or possible pregnancy since the screening",
    "new_symptoms": "New or changed symptoms (including red flags) since the screening",
}
POSITIONS = {"prone": "Prone", "supine": "Supine", "side_lying": "Side-lying", "seated": "Seated"}
TRIMESTERS = {"first_trimester": 1, "possibly_pregnant": 1, "second_trimester": 2, "third_trimester": 3}


@transaction.atomic
def session_start(
    *, actor: User, episode: Episode, checklist: dict[str, Any], payer: str, chronic_low_back_pain: bool = False
) -> Session:
    require_clinician(actor)
    episode = episode_get_for(actor=actor, episode_id=episode.pk)
    readiness = session_readiness_for(actor=actor, episode=episode)
    if readiness.problems:
        raise ValidationError(readiness.problems)
    if payer not in Payer.values:
        raise ValidationError({"payer": "Choose the payer."})
    changed = [label for key, label in CHECKLIST_RESCREEN.items() if checklist.get(key)]
    if changed:
        raise ValidationError(f"Screen again before needling — changed since the screening: {'; '.join(changed)}.")
    if checklist.get("position") not in POSITIONS:
        raise ValidationError({"position": "Record the patient's position."})
    clean = {key: bool(checklist.get(key)) for key in CHECKLIST_RESCREEN} | {
        "new_medication": bool(checklist.get("new_medication")),
        "position": checklist["position"],
    }
    assert readiness.screening is not None and readiness.consent is not None
    session = Session.objects.create(
        clinic=episode.clinic,
        patient=episode.patient,
        episode=episode,
        clinician=actor,
        screening=readiness.screening,
        consent=readiness.consent,
        checklist=clean,
        payer=payer,
        chronic_low_back_pain=chronic_low_back_pain,
    )
    audit_record(actor=actor, action="session.start", obj=session, detail={"episode_id": episode.pk})
    return session


@dataclass(frozen=True)
class InsertionPlan:
    muscle_id: str
    side: str
    technique: str
    needle_diameter_mm: Decimal
    needle_length_mm: int
    handling: str | None = None
    target_depth_mm: int | None = None
    distance_from_midline_cm: Decimal | None = None
    finding_id: int | None = None


def _as_planned(plan: InsertionPlan | Insertion) -> PlannedInsertion:
    distance = plan.distance_from_midline_cm
    return PlannedInsertion(
        muscle_id=plan.muscle_id,
        side=plan.side,
        needle_length_mm=float(plan.needle_length_mm),
        technique=plan.technique,
        handling=plan.handling or None,
        distance_from_midline_cm=float(distance) if distance is not None else None,
    )


def _validate_plan(plan: InsertionPlan) -> None:
    if plan.muscle_id not in get_knowledge().muscles:
        raise ValidationError({"muscle_id": "Choose a muscle from the knowledge base."})
    if plan.technique not in Technique.values:
        raise ValidationError({"technique": "Choose a technique."})
    try:
        diameter = Decimal(plan.needle_diameter_mm)
    except (InvalidOperation, TypeError):
        raise ValidationError({"needle_diameter_mm": "Enter the needle diameter in mm (e.g. 0.25)."}) from None
    if not Decimal("0.12") <= diameter <= Decimal("0.50"):
        raise ValidationError({"needle_diameter_mm": "Needle diameters for dry needling lie between 0.12 and 0.50 mm."})
    if not 7 <= plan.needle_length_mm <= 125:
        raise ValidationError({"needle_length_mm": "Needle lengths lie between 7 and 125 mm."})
    if plan.target_depth_mm is not None and not 1 <= plan.target_depth_mm <= plan.needle_length_mm:
        raise ValidationError({"target_depth_mm": "The target depth must lie within the needle's length."})


def _screening_site_blocks(session: Session, plan: InsertionPlan, finding: Finding | None) -> list[dict[str, Any]]:
    """Block an insertion whose site the screening marked as not to be needled."""
    blocked_sites = session.screening.result.get("blocked_sites", [])
    if not blocked_sites:
        return []
    blocked = {rid for site in blocked_sites for rid in site_region_ids(site)}
    if finding is not None:
        points = [(finding.view, finding.x, finding.y)]
    else:
        side = plan.side if plan.side in ("left", "right") else "right"
        points = [(p["view"], p["x"], p["y"]) for p in trigger_point_markers(muscle_id=plan.muscle_id, side=side)]
    hit = {bodychart.region_at(view, x, y) for view, x, y in points} & blocked
    if not hit:
        return []
    reasons = [r for r in session.screening.result.get("reasons", []) if r.get("severity") in ("site", "block")]
    return [
        {
            "level": "block",
            "rule_id": "SESSION-SCREENED-SITE",
            "message": "The screening marked this site as not to be needled: "
            + ", ".join(session.screening.result.get("blocked_site_labels", blocked_sites))
            + ".",
            "sources": sorted({s for r in reasons for s in r.get("sources", [])}),
            "evidence": "V",
            "citations": sorted({c for r in reasons for c in r.get("citations", [])}),
        }
    ]


def insertion_check(*, actor: User, session: Session, plan: InsertionPlan) -> list[dict[str, Any]]:
    """The guardrails for one planned insertion, blocks first. Reads only."""
    session = session_get_for(actor=actor, session_id=session.pk)
    _validate_plan(plan)
    answers = session.screening.answers
    finding = None
    if plan.finding_id is not None:
        finding = Finding.objects.filter(pk=plan.finding_id, episode=session.episode).first()
        if finding is None:
            raise ValidationError({"finding_id": "That finding does not belong to this episode."})
    patient_sex = session.patient.sex if session.patient.sex in ("female", "male", "other") else None
    context = InsertionContext(
        sex=patient_sex,
        pregnant_trimester=TRIMESTERS.get(answers.get("pregnancy") or ""),
        lymphoedema_limbs=tuple(answers.get("lymphoedema_limbs") or ()),
        other_insertions=tuple(_as_planned(i) for i in session.insertions.all()),
    )
    guardrails = [g.to_dict() for g in check_insertion(planned=_as_planned(plan), context=context)]
    blocks = _screening_site_blocks(session, plan, finding)
    return blocks + guardrails


@transaction.atomic
def insertion_record(
    *,
    actor: User,
    session: Session,
    expected_version: int,
    plan: InsertionPlan,
    planned_seconds: int,
    actual_seconds: int,
    twitch_count: int,
    patient_response: str = "",
    override_reason: str = "",
) -> Insertion:
    """Save one needled point (the session is saved after every point)."""
    require_clinician(actor)
    session = session_get_for(actor=actor, session_id=session.pk)
    if session.status != Session.Status.IN_PROGRESS:
        raise ValidationError("This session is completed; no more points can be added.")
    guardrails = insertion_check(actor=actor, session=session, plan=plan)
    blocks = [g for g in guardrails if g["level"] == "block"]
    if blocks:
        raise ValidationError({"muscle_id": " ".join(g["message"] for g in blocks)})
    override_reason = override_reason.strip()
    if any(g["level"] == "warn" for g in guardrails) and len(override_reason) < 5:
        raise ValidationError({"override_reason": "Warnings apply: give your reason for going ahead."})
    if not 1 <= planned_seconds <= 3600 or not 1 <= actual_seconds <= 7200:
        raise ValidationError({"actual_seconds": "Needle time must be between 1 second and 2 hours: use the timer."})
    if not 0 <= twitch_count <= 200:
        raise ValidationError({"twitch_count": "Enter the number of local twitch responses (0-200)."})
    if len(patient_response) > 300 or "\x00" in patient_response:
        raise ValidationError({"patient_response": "At most 300 characters."})
    bump_version(session, expected=expected_version)
    insertion = Insertion.objects.create(
        session=session,
        finding_id=plan.finding_id,
        muscle_id=plan.muscle_id,
        side=plan.side,
        technique=plan.technique,
        handling=plan.handling or "",
        needle_diameter_mm=Decimal(plan.needle_diameter_mm),
        needle_length_mm=plan.needle_length_mm,
        target_depth_mm=plan.target_depth_mm,
        distance_from_midline_cm=plan.distance_from_midline_cm,
        planned_seconds=planned_seconds,
        actual_seconds=actual_seconds,
        twitch_count=twitch_count,
        patient_response=patient_response.strip(),
        guardrails=guardrails,
        override_reason=override_reason,
        performed_by=actor,
    )
    audit_record(
        actor=actor,
        action="insertion.create",
        obj=insertion,
        detail={"session_id": session.pk, "override": bool(override_reason)},
    )
    return insertion


@transaction.atomic
def session_complete(*, actor: User, session: Session, expected_version: int) -> Session:
    from dryneedling.followup.services import checkins_after_session
    from dryneedling.treatment.services.note import note_create_draft

    require_clinician(actor)
    session = session_get_for(actor=actor, session_id=session.pk)
    if session.status != Session.Status.IN_PROGRESS:
        raise ValidationError("This session is already completed.")
    bump_version(session, expected=expected_version, status=Session.Status.COMPLETED, ended_at=timezone.now())
    note_create_draft(actor=actor, session=session)
    checkins_after_session(session=session)
    audit_record(actor=actor, action="session.complete", obj=session)
    return session
