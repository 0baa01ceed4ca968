"""Checking and recording one needled point. The guardrails come from the pure safety engine
(`dryneedling.clinical.safety.evaluate`), fed by `safety_plan.plan_for`.

The clinician's part of the plan (profession, training hours, jurisdiction) is kept by
`safetyrecords`, a higher app: callers pass it in as `clinician_facts` (the care layer reads it with
`safetyrecords.selectors.clinician_safety_facts`)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.clinical.billing import get_billing
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.safety import PlanError
from dryneedling.treatment.models import Finding, Insertion, Session, Technique, main_technique_of
from dryneedling.treatment.selectors import muscle_name, session_get_for, warning_reasons_for_session
from dryneedling.treatment.services.common import (
    NEEDLE_SECONDS,
    NEEDLE_TIME_MISSING,
    PLANNED_SECONDS,
    REASON_MIN_CHARS,
    bump_version_held,
    reason_too_short,
    require_clinician,
)
from dryneedling.treatment.services.safety_plan import ELECTRICAL_FIELDS, InsertionPlan, plan_for, verdict_for

__all__ = ["InsertionPlan", "insertion_check", "insertion_record"]


def _validate_plan(plan: InsertionPlan) -> None:
    if not plan.muscle_id:
        raise ValidationError({"muscle_id": "Choose a muscle, or a charted finding that names one."})
    if plan.muscle_id not in get_knowledge().muscles:
        raise ValidationError({"muscle_id": "Choose a muscle from the knowledge base."})
    if not plan.side:
        raise ValidationError({"side": "Choose the side, or a charted finding that names one."})
    members = get_billing().members(plan.muscle_id)
    if plan.anatomical_muscle and (len(members) < 2 or plan.anatomical_muscle not in members):
        raise ValidationError(
            {"anatomical_muscle": f"Name a muscle of {muscle_name(plan.muscle_id)}, or leave it blank."}
            if len(members) > 1
            else {"anatomical_muscle": f"{muscle_name(plan.muscle_id)} is one muscle: leave the member blank."}
        )
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


def plan_with_finding(session: Session, plan: InsertionPlan) -> tuple[InsertionPlan, Finding | None]:
    """The plan with the muscle and side its charted finding supplies where none were given; a
    finding naming another muscle or side than the one given is a field error, not a guess."""
    finding = _finding(session, plan)
    if finding is None:
        return plan, None
    charted = f"{muscle_name(finding.muscle_id)} ({finding.side})"
    if plan.muscle_id and plan.muscle_id != finding.muscle_id:
        raise ValidationError(
            {
                "muscle_id": f"The finding chosen is on {charted}, not {muscle_name(plan.muscle_id)}: "
                "choose the muscle of the finding, or no finding."
            }
        )
    if plan.side and plan.side != finding.side:
        raise ValidationError(
            {"side": f"The finding chosen is on {charted}, not the {plan.side} side: choose its side, or no finding."}
        )
    return replace(plan, muscle_id=finding.muscle_id, side=finding.side), finding


def insertion_check(
    *, actor: User, session: Session, plan: InsertionPlan, clinician_facts: dict[str, Any]
) -> list[dict[str, Any]]:
    """The guardrails for one planned insertion, blocks first. Reads only."""
    session = session_get_for(actor=actor, session_id=session.pk)
    return _guardrails(session=session, plan=plan, clinician_facts=clinician_facts)


def _guardrails(*, session: Session, plan: InsertionPlan, clinician_facts: dict[str, Any]) -> list[dict[str, Any]]:
    """`insertion_check` on a session already read through the clinic-scoped selector."""
    plan, finding = plan_with_finding(session, plan)
    _validate_plan(plan)
    document = plan_for(
        session=session,
        plan=plan,
        finding=finding,
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


@transaction.atomic(savepoint=False)  # all or nothing with its caller's transaction: no savepoint of its own
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
    client_key: UUID | None = None,
) -> Insertion:
    """Save one needled point (the session is saved after every point).

    `client_key` names the submission (the point form makes one per rendering): a retry of a
    submission already saved returns its point and writes nothing, whatever changed since (issue
    14). The session's row is locked first, so two copies of one submission arriving together
    wait for each other and the second finds the first's point; the unique (session, client_key)
    constraint stands behind it."""
    require_clinician(actor)
    session = session_get_for(actor=actor, session_id=session.pk, for_update=True)
    # The session's points, once: a retry finds its point here; the main technique counts them.
    recorded = list(session.insertions.values_list("pk", "technique", "client_key"))
    replayed = [pk for pk, _, key in recorded if client_key is not None and key == client_key]
    if replayed:
        return session.insertions.get(pk=replayed[0])
    if session.status != Session.Status.IN_PROGRESS:
        raise ValidationError("This session is completed; no more points can be added.")
    if session.clean_technique is None:
        raise ValidationError("Complete the clean-technique checklist before the first insertion.")
    plan, _ = plan_with_finding(session, plan)
    guardrails = _guardrails(session=session, plan=plan, clinician_facts=clinician_facts)
    blocks = [g for g in guardrails if g["level"] == "block"]
    if blocks:
        raise ValidationError({"muscle_id": " ".join(f"{g['message']} [{g['rule_id']}]" for g in blocks)})
    override_reason, reused = _warning_reasons(session, guardrails, override_reason.strip())
    if not PLANNED_SECONDS.low <= planned_seconds <= PLANNED_SECONDS.high:
        raise ValidationError({"planned_seconds": PLANNED_SECONDS.message("Planned seconds")})
    if not NEEDLE_SECONDS.low <= actual_seconds <= NEEDLE_SECONDS.high:
        raise ValidationError({"actual_seconds": NEEDLE_TIME_MISSING})
    if not 0 <= twitch_count <= 200:
        raise ValidationError({"twitch_count": "Enter the number of local twitch responses (0-200)."})
    if len(patient_response) > 300 or "\x00" in patient_response:
        raise ValidationError({"patient_response": "At most 300 characters."})
    paired = _paired(session, plan)
    # The session's main technique with this point, in the version's UPDATE (the signal that keeps
    # it for other writers is told it is done: one read and one write fewer per point, issue 14).
    techniques = [*(technique for _, technique, _ in recorded), plan.technique]
    bump_version_held(session, expected=expected_version, main_technique=main_technique_of(techniques))
    insertion = Insertion(
        session=session,
        finding_id=plan.finding_id,
        muscle_id=plan.muscle_id,
        side=plan.side,
        anatomical_muscle=plan.anatomical_muscle,
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
        client_key=client_key,
    )
    insertion.main_technique_kept = True  # type: ignore[attr-defined]  # see treatment.signals
    insertion.save(force_insert=True)
    audit_record(
        actor=actor,
        action="insertion.create",
        obj=insertion,
        detail={
            "session_id": session.pk,
            "override": bool(override_reason),
            "reasons_given_earlier": reused,
            "electrical": bool(plan.electrical),
        },
    )
    return insertion


def _warning_reasons(session: Session, guardrails: list[dict[str, Any]], typed: str) -> tuple[str, list[str]]:
    """Mark each warning with the reason that lets the point go ahead, and return the point's
    override reason and the rules whose reason was given earlier in the session.

    A reason typed now applies to every warning of this point. Without one, a warning whose rule
    already has a reason in this session reuses it; any other warning refuses the point."""
    warnings = [g for g in guardrails if g["level"] == "warn"]
    if typed and len(typed) < REASON_MIN_CHARS:
        raise ValidationError({"override_reason": reason_too_short(typed)})
    if typed or not warnings:
        for guardrail in warnings:
            guardrail.update(override_reason=typed, reason_given_earlier=False)
        return typed, []
    earlier = warning_reasons_for_session(session=session)
    missing = [g["rule_id"] for g in warnings if g["rule_id"] not in earlier]
    if missing:
        raise ValidationError(
            {
                "override_reason": f"Warnings without a reason in this session ({', '.join(missing)}): give your "
                f"reason for going ahead, at least {REASON_MIN_CHARS} characters."
            }
        )
    for guardrail in warnings:
        guardrail.update(override_reason=earlier[guardrail["rule_id"]], reason_given_earlier=True)
    reasons = list(dict.fromkeys(g["override_reason"] for g in warnings))
    return "; ".join(reasons)[:500], [g["rule_id"] for g in warnings]
