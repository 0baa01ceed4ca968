"""Plan builders shared by the safety-engine tests."""

from __future__ import annotations

import copy
from typing import Any

from dryneedling.clinical.education import CONSENT_VERSION, consent_items
from dryneedling.clinical.safety import SafetyPlan, Verdict, evaluate

ALL_ITEMS: tuple[str, ...] = tuple(i.id for i in consent_items())
ELECTRICAL: dict[str, Any] = {
    "device": "ITO ES-160",
    "frequency_hz": 2,
    "pulse_width_us": 250,
    "intensity_ma": 4.0,
    "duration_min": 10,
    "paired_with": None,
}


def insertion(muscle: str, side: str = "right", length: float = 30, **extra: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"muscle": muscle, "side": side, "technique": "pistoning", "needle_length_mm": length}
    if extra.pop("electrical", False) or extra.get("paired_with") is not None:
        raw["technique"] = "electrical"
        raw["electrical"] = {**ELECTRICAL, "paired_with": extra.pop("paired_with", None)}
    extra.pop("paired_with", None)
    return raw | extra


def plan(ins: dict[str, Any], **parts: Any) -> dict[str, Any]:
    """A plan with full current consent, a female patient and nothing else known; ``parts`` replace."""
    raw: dict[str, Any] = {
        "insertion": ins,
        "patient": {"age": 45, "sex": "female"},
        "consent": {"version": CONSENT_VERSION, "items": list(ALL_ITEMS)},
    }
    raw.update(copy.deepcopy(parts))
    return raw


def run(raw: dict[str, Any]) -> Verdict:
    return evaluate(SafetyPlan.from_dict(raw))


def ids(verdict: Verdict, level: str | None = None) -> set[str]:
    return {g.rule_id for g in verdict.reasons if level is None or g.level == level}


def without(*items: str) -> dict[str, Any]:
    return {"version": CONSENT_VERSION, "items": [i for i in ALL_ITEMS if i not in items]}
