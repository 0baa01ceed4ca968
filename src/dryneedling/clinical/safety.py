"""Safety guardrails for one planned insertion: blocks and warnings, each with its source.

The checks are selected and tuned by ``data/guardrails.yaml`` (``kind`` + ``params``);
this module implements each kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .knowledge import GuardrailRule, Knowledge, Muscle, get_knowledge

SIDES: tuple[str, ...] = ("left", "right", "midline")
TECHNIQUES: tuple[str, ...] = ("pistoning", "static", "electrical")
HANDLINGS: tuple[str, ...] = ("pincer", "flat_palpation", "bracketing")
SEXES: tuple[str, ...] = ("female", "male", "other")
LEVELS: tuple[str, ...] = ("block", "warn")


@dataclass(frozen=True)
class PlannedInsertion:
    muscle_id: str
    side: str
    needle_length_mm: float
    technique: str = "pistoning"
    handling: str | None = None
    distance_from_midline_cm: float | None = None

    def __post_init__(self) -> None:
        if self.side not in SIDES:
            raise ValueError(f"side must be one of {', '.join(SIDES)}")
        if self.technique not in TECHNIQUES:
            raise ValueError(f"technique must be one of {', '.join(TECHNIQUES)}")
        if self.handling is not None and self.handling not in HANDLINGS:
            raise ValueError(f"handling must be one of {', '.join(HANDLINGS)} or None")
        if not self.needle_length_mm > 0:
            raise ValueError("needle_length_mm must be positive")
        if self.distance_from_midline_cm is not None and self.distance_from_midline_cm < 0:
            raise ValueError("distance_from_midline_cm must not be negative")


@dataclass(frozen=True)
class InsertionContext:
    sex: str | None = None
    bmi: float | None = None
    pregnant_trimester: int | None = None
    lymphoedema_limbs: tuple[str, ...] = ()
    other_insertions: tuple[PlannedInsertion, ...] = ()

    def __post_init__(self) -> None:
        if self.sex is not None and self.sex not in SEXES:
            raise ValueError(f"sex must be one of {', '.join(SEXES)} or None")
        if self.pregnant_trimester not in (None, 1, 2, 3):
            raise ValueError("pregnant_trimester must be 1, 2, 3 or None")
        if self.bmi is not None and not self.bmi > 0:
            raise ValueError("bmi must be positive")


@dataclass(frozen=True)
class Guardrail:
    level: str
    rule_id: str
    message: str
    sources: tuple[str, ...]
    evidence: str = "V"
    citations: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "rule_id": self.rule_id,
            "message": self.message,
            "sources": list(self.sources),
            "evidence": self.evidence,
            "citations": list(self.citations),
        }


@dataclass(frozen=True)
class _Case:
    planned: PlannedInsertion
    context: InsertionContext
    muscle: Muscle
    knowledge: Knowledge


# Each check returns None (does not apply) or the placeholder values for the message.
Check = Callable[[GuardrailRule, _Case], dict[str, str] | None]


def _allowed(c: _Case) -> str:
    return " or ".join(h.replace("_", " ") for h in c.muscle.safe_handling)


def _handling_unsafe(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    h = c.planned.handling
    unsafe = c.muscle.lung_risk and h is not None and h not in c.muscle.safe_handling
    return {"allowed": _allowed(c)} if unsafe else None


def _handling_missing(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    return {"allowed": _allowed(c)} if c.muscle.lung_risk and c.planned.handling is None else None


def _depth_muscle(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    limit = c.muscle.safe_depth_mm
    return {"limit": f"{limit:g}"} if limit is not None and c.planned.needle_length_mm > limit else None


def _depth_general(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    return {} if c.muscle.lung_risk and c.planned.needle_length_mm >= float(g.params["lung_reach_mm"]) else None


def _low_bmi(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    bmi = c.context.bmi
    low = c.muscle.lung_risk and bmi is not None and bmi < float(g.params["bmi_below"])
    return {"bmi": f"{bmi:g}"} if low and bmi is not None else None


def _male(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    return {} if c.muscle.lung_risk and c.context.sex == "male" else None


def _bilateral(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    if not c.muscle.lung_risk or c.planned.side == "midline":
        return None
    for other in c.context.other_insertions:
        om = c.knowledge.muscles[other.muscle_id]
        if om.lung_risk and other.side not in ("midline", c.planned.side):
            return {"other": f"{om.name} ({other.side})"}
    return None


def _kidney_zone(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    d = c.planned.distance_from_midline_cm
    lateral = c.muscle.kidney_risk and d is not None and d > float(g.params["lateral_cm"])
    return {"distance": f"{d:g}"} if lateral and d is not None else None


def _kidney_unknown(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    return {} if c.muscle.kidney_risk and c.planned.distance_from_midline_cm is None else None


def _preg_t1(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    return {} if c.context.pregnant_trimester == 1 else None


def _preg_muscles(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    return {} if c.context.pregnant_trimester and c.muscle.id in g.params["muscles"] else None


def _limbs(c: _Case, limb: str | None) -> str | None:
    if limb is None:
        return None
    sides = ("left", "right") if c.planned.side == "midline" else (c.planned.side,)
    hit = [f"{s}_{limb}" for s in sides if f"{s}_{limb}" in c.context.lymphoedema_limbs]
    return hit[0].replace("_", " ") if hit else None


def _lymph_limb(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    limb = _limbs(c, c.muscle.limb)
    return {"limb": limb} if limb else None


def _lymph_girdle(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    limb = _limbs(c, c.muscle.girdle)
    return {"limb": limb} if limb else None


def _needle_length(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    typical = c.muscle.needle.length_mm
    return {"limit": f"{typical[1]:g}"} if typical and c.planned.needle_length_mm > typical[1] else None


def _muscle_note(g: GuardrailRule, c: _Case) -> dict[str, str] | None:
    return {} if c.muscle.id in g.params["muscles"] else None


CHECKS: dict[str, Check] = {
    "thoracic_handling_unsafe": _handling_unsafe,
    "thoracic_handling_missing": _handling_missing,
    "thoracic_depth_muscle": _depth_muscle,
    "thoracic_depth_general": _depth_general,
    "thoracic_low_bmi": _low_bmi,
    "thoracic_male_sex": _male,
    "bilateral_thorax": _bilateral,
    "kidney_zone": _kidney_zone,
    "kidney_distance_unknown": _kidney_unknown,
    "pregnancy_first_trimester": _preg_t1,
    "pregnancy_site": _preg_muscles,
    "pregnancy_caution": _preg_muscles,
    "lymphoedema_limb": _lymph_limb,
    "lymphoedema_girdle": _lymph_girdle,
    "needle_over_typical": _needle_length,
    "muscle_note": _muscle_note,
}


def check_insertion(
    *, planned: PlannedInsertion, context: InsertionContext, knowledge: Knowledge | None = None
) -> tuple[Guardrail, ...]:
    """Guardrails (blocks first, then warnings) for one planned insertion."""
    knowledge = knowledge or get_knowledge()
    for ins in (planned, *context.other_insertions):
        if ins.muscle_id not in knowledge.muscles:
            raise ValueError(f"unknown muscle id {ins.muscle_id!r}")
    case = _Case(planned=planned, context=context, muscle=knowledge.muscles[planned.muscle_id], knowledge=knowledge)
    found: list[Guardrail] = []
    for rule in knowledge.guardrails.values():
        values = CHECKS[rule.kind](rule, case)
        if values is None:
            continue
        values = {"muscle": case.muscle.name, "side": planned.side, "length": f"{planned.needle_length_mm:g}", **values}
        message = rule.message
        for key, value in values.items():
            message = message.replace("{" + key + "}", value)
        found.append(
            Guardrail(
                level=rule.level,
                rule_id=rule.id,
                message=message,
                sources=rule.sources,
                evidence=rule.evidence,
                citations=knowledge.cite(rule.sources),
            )
        )
    found.sort(key=lambda g: LEVELS.index(g.level))
    return tuple(found)


def is_blocked(guardrails: tuple[Guardrail, ...]) -> bool:
    return any(g.level == "block" for g in guardrails)
