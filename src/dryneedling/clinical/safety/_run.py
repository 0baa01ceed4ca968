"""Run every guardrail of ``data/guardrails.yaml`` on one planned insertion.

Each rule's ``kind`` selects a check here; its ``params`` tune it. Adding a rule of an existing
kind is adding data.
"""

from __future__ import annotations

from ..knowledge import GuardrailRule, Knowledge, get_knowledge
from . import _anatomy as a
from . import _context_checks as x
from ._case import Case, Check, Hit
from ._types import LEVELS, Guardrail, InsertionContext, PlannedInsertion

CHECKS: dict[str, Check] = {
    "thoracic_handling_unsafe": a.handling_unsafe,
    "thoracic_handling_missing": a.handling_missing,
    "thoracic_depth_muscle": a.depth_muscle,
    "thoracic_depth_general": a.depth_general,
    "thoracic_target_depth": a.target_depth,
    "thoracic_low_bmi": a.low_bmi,
    "thoracic_male_sex": a.male,
    "bilateral_thorax": a.bilateral,
    "paired_midline": a.paired_midline,
    "kidney_zone": a.kidney_zone,
    "kidney_distance_unknown": a.kidney_unknown,
    "pregnancy_first_trimester": a.preg_t1,
    "pregnancy_site": a.preg_muscles,
    "pregnancy_caution": a.preg_muscles,
    "lymphoedema_limb": a.lymph_limb,
    "lymphoedema_girdle": a.lymph_girdle,
    "needle_over_typical": a.needle_length,
    "muscle_note": a.muscle_note,
    "antithrombotic_deep_site": a.antithrombotic_deep,
    "electrical_unrecorded": x.electrical_unrecorded,
    "electrical_implant": x.electrical_implant,
    "electrical_thorax_pair": x.electrical_thorax_pair,
    "electrical_pregnancy_site": x.electrical_pregnancy_site,
    "electrical_pregnancy": x.electrical_pregnancy,
    "electrical_limb_at_risk": x.electrical_limb,
    "electrical_epilepsy": x.electrical_epilepsy,
    "consent_missing": x.consent_missing,
    "consent_outdated": x.consent_outdated,
    "consent_incomplete": x.consent_incomplete,
    "consent_item_declined": x.consent_declined,
    "screening_not_now": x.screening_not_now,
    "screening_site_block": x.screening_site_block,
    "screening_site_caution": x.screening_site_caution,
}


def _guardrail(rule: GuardrailRule, case: Case, hit: Hit, knowledge: Knowledge) -> Guardrail:
    planned = case.planned
    values = {"muscle": case.muscle.name, "side": planned.side, "length": f"{planned.needle_length_mm:g}", **hit}
    message = rule.message
    for key, value in values.items():
        if not key.startswith("_"):
            message = message.replace("{" + key + "}", value)
    extra = tuple(s for s in hit.get("_sources", "").split(",") if s)
    sources = tuple(dict.fromkeys(extra + rule.sources))
    return Guardrail(
        level=rule.level,
        rule_id=hit.get("_rule_id", rule.id),
        message=message,
        sources=sources,
        evidence=hit.get("_evidence", rule.evidence),
        citations=knowledge.cite(sources),
    )


def check_insertion(
    *, planned: PlannedInsertion, context: InsertionContext, knowledge: Knowledge | None = None
) -> tuple[Guardrail, ...]:
    """Guardrails (blocks first, then warnings) for one planned insertion."""
    knowledge = knowledge or get_knowledge()
    for ins in (planned, *context.other_insertions):
        if ins.muscle_id not in knowledge.muscles:
            raise ValueError(f"unknown muscle id {ins.muscle_id!r}")
    case = Case(planned=planned, context=context, muscle=knowledge.muscles[planned.muscle_id], knowledge=knowledge)
    found: list[Guardrail] = []
    for rule in knowledge.guardrails.values():
        result = CHECKS[rule.kind](rule, case)
        if result is None:
            continue
        for hit in result if isinstance(result, list) else [result]:
            found.append(_guardrail(rule, case, hit, knowledge))
    found.sort(key=lambda g: LEVELS.index(g.level))
    return tuple(found)
