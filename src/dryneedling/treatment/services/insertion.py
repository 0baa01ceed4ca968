"""Checking and recording one needled point. The guardrails come from the pure safety engine
(`dryneedling.clinical.safety.evaluate`), fed by `safety_plan.plan_for`.

The clinician's part of the plan (profession, training hours, jurisdiction) is kept by
`safetyrecords`, a higher app: callers pass it in as `clinician_facts` (the care layer reads it with
`safetyrecords.selectors.clinician_safety_facts`)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.safety import PlanError
from dryneedling.treatment.models import Finding, Insertion, Session, Technique
from dryneedling.treatment.selectors import session_get_for
from dryneedling.treatment.services.common import bump_version, require_clinician
from dryneedling.treatment.services.safety_plan import ELECTRICAL_FIELDS, InsertionPlan, plan_for, verdict_for

__all__ = ["InsertionPlan", "insertion_check", "insertion_record"]


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
    if plan.technique == Technique.ELECTRICAL:
        missing = [key for key in ELECTRICAL_FIELDS if (plan.electrical or {}).get(key) in (None, "")]
        if missing:
            raise ValidationError(
                {"electrical": "Electrical needling: record " + ", ".join(m.replace("_", " ") for m in missing) + "."}
            )
    elif plan.electrical or plan.paired_with_id:
        raise ValidationError({"technique": "Electrical parameters and a lead pair need the electrical technique."})


def _finding(session: Session, plan: InsertionPlan) -> Finding | None:
    if plan.finding_id is None:
        return None
    finding = (
        Finding.objects.for_clinic(session.clinic_id).filter(pk=plan.finding_id, episode=session.episode_id).first()
    )
    if finding is None:
        raise ValidationError({"finding_id": "That finding does not belong to this episode."})
    return finding


def insertion_check(
    *, actor: User, session: Session, plan: InsertionPlan, clinician_facts: dict[str, Any]
) -> list[dict[str, Any]]:
    """The guardrails for one planned insertion, blocks first. Reads only."""
    session = session_get_for(actor=actor, session_id=session.pk)
    return _guardrails(session=session, plan=plan, clinician_facts=clinician_facts)


def _guardrails(*, session: Session, plan: InsertionPlan, clinician_facts: dict[str, Any]) -> list[dict[str, Any]]:
    """`insertion_check` on a session already read through the clinic-scoped selector."""
    _validate_plan(plan)
    document = plan_for(
        session=session,
        plan=plan,
        finding=_finding(session, plan),
        clinician_facts=clinician_facts,
        today=timezone.localdate(),
    )
    try:
        verdict = verdict_for(document)
    except (PlanError, ValueError) as error:
        raise ValidationError({"electrical" if plan.electrical else "muscle_id": str(error)}) from None
    return [reason.to_dict() for reason in verdict.reasons]


def _paired(session: Session, plan: InsertionPlan) -> Insertion | None:
    if plan.paired_with_id is None:
        return None
    other = session.insertions.filter(pk=plan.paired_with_id, technique=Technique.ELECTRICAL).first()
    if other is None:
        raise ValidationError({"paired_with": "Pair the lead with an electrical insertion of this session."})
    return other


@transaction.atomic
def insertion_record(
    *,
    actor: User,
    session: Session,
    expected_version: int,
    plan: InsertionPlan,
    clinician_facts: dict[str, Any],
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
    if session.clean_technique is None:
        raise ValidationError("Complete the clean-technique checklist before the first insertion.")
    guardrails = _guardrails(session=session, plan=plan, clinician_facts=clinician_facts)
    blocks = [g for g in guardrails if g["level"] == "block"]
    if blocks:
        raise ValidationError({"muscle_id": " ".join(f"{g['message']} [{g['rule_id']}]" for g in blocks)})
    override_reason = override_reason.strip()
    if any(g["level"] == "warn" for g in guardrails) and len(override_reason) < 5:
        raise ValidationError({"override_reason": "Warnings apply: give your reason for going ahead."})
    if not 1 <= planned_seconds <= 3600 or not 1 <= actual_seconds <= 7200:
        raise ValidationError({"actual_seconds": "Needle time must be between 1 second and 2 hours: use the timer."})
    if not 0 <= twitch_count <= 200:
        raise ValidationError({"twitch_count": "Enter the number of local twitch responses (0-200)."})
    if len(patient_response) > 300 or "\x00" in patient_response:
        raise ValidationError({"patient_response": "At most 300 characters."})
    paired = _paired(session, plan)
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
        electrical={key: plan.electrical[key] for key in ELECTRICAL_FIELDS} if plan.electrical else None,
        paired_with=paired,
        performed_by=actor,
    )
    audit_record(
        actor=actor,
        action="insertion.create",
        obj=insertion,
        detail={"session_id": session.pk, "override": bool(override_reason), "electrical": bool(plan.electrical)},
    )
    return insertion
