"""The safety plan of one insertion, built from the record: the same plan the CLI reads from a file
(`dryneedling guardrails --plan`), so the web session and the command share one engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from dryneedling.clinical.safety import SafetyPlan as _SafetyPlan
from dryneedling.clinical.safety import Verdict, evaluate
from dryneedling.treatment.models import Finding, Insertion, Session

ELECTRICAL_FIELDS = ("device", "frequency_hz", "pulse_width_us", "intensity_ma", "duration_min")


@dataclass(frozen=True)
class InsertionPlan:
    """One planned insertion as the clinician entered it."""

    muscle_id: str
    side: str
    technique: str
    needle_diameter_mm: Decimal
    needle_length_mm: int
    handling: str | None = None
    target_depth_mm: int | None = None
    distance_from_midline_cm: Decimal | None = None
    finding_id: int | None = None
    electrical: dict[str, Any] | None = None
    paired_with_id: int | None = None
    anatomical_muscle: str = ""
    """The member needled when the muscle entry is grouped (billing.yaml ``identities``); optional."""


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _insertion_dict(
    item: InsertionPlan | Insertion, *, location: Finding | None, paired_index: int | None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "muscle": item.muscle_id,
        "side": item.side,
        "technique": item.technique,
        "needle_length_mm": float(item.needle_length_mm),
        "needle_diameter_mm": _number(item.needle_diameter_mm),
        "target_depth_mm": _number(item.target_depth_mm),
        "handling": item.handling or None,
        "distance_from_midline_cm": _number(item.distance_from_midline_cm),
    }
    if location is not None:
        out["location"] = {"view": location.view, "x": float(location.x), "y": float(location.y)}
    if item.technique == "electrical":
        params = dict(item.electrical or {})
        out["electrical"] = {key: params.get(key) for key in ELECTRICAL_FIELDS} | {"paired_with": paired_index}
    return out


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def plan_for(
    *,
    session: Session,
    plan: InsertionPlan,
    finding: Finding | None,
    clinician_facts: dict[str, Any] | None,
    today: date,
) -> dict[str, Any]:
    """The plan document for `plan` in `session` (see README, "Safety plan format")."""
    recorded = list(session.insertions.select_related("finding").order_by("performed_at", "id"))
    index = {ins.pk: i for i, ins in enumerate(recorded)}
    patient = session.patient
    paired = index.get(plan.paired_with_id) if plan.paired_with_id is not None else None
    if plan.paired_with_id is not None and paired is None:
        raise ValueError("The paired insertion is not part of this session.")
    consent = session.consent
    return {
        "insertion": _insertion_dict(plan, location=finding, paired_index=paired),
        "patient": {
            "age": _age(patient.date_of_birth, today),
            "sex": patient.sex if patient.sex in ("female", "male", "other") else None,
            "height_cm": patient.height_cm,
            "weight_kg": _number(patient.weight_kg),
        },
        "screening": {"answers": session.screening.answers},
        "consent": None
        if consent is None or consent.withdrawn_at is not None
        else {"version": consent.version, "items": list(consent.items)},
        "session": {
            "insertions": [
                _insertion_dict(
                    ins,
                    location=ins.finding,
                    paired_index=index.get(ins.paired_with_id) if ins.paired_with_id else None,
                )
                for ins in recorded
            ]
        },
        "clinician": None
        if clinician_facts is None
        else {key: clinician_facts.get(key) for key in ("profession", "training_hours", "jurisdiction")},
    }


def verdict_for(document: dict[str, Any]) -> Verdict:
    clean = {key: value for key, value in document.items() if value is not None}
    return evaluate(_SafetyPlan.from_dict(clean))
