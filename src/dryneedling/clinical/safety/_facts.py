"""Turn intake answers and patient facts into the safety context (pure; no Django).

Answers are read by key with ``.values.get`` so that keys the intake adds later (``at_risk_limbs``,
``anticoagulant_drug``, ``inr``, ``platelet_count``, ``pregnancy_weeks``) are used when present.
"""

from __future__ import annotations

from typing import Any

from ..intake import IntakeAnswers, parse_answers
from ..knowledge import Knowledge
from ..screening import ScreeningContext, ScreeningDecision, screen
from ._types import LIMBS, ScreenedReason

TRIMESTER_OF_ANSWER = {"first_trimester": 1, "possibly_pregnant": 1, "second_trimester": 2, "third_trimester": 3}
_NOT_NOW = ("emergency", "refer", "block")


def parse_partial(raw: Any, sex: str | None = None) -> IntakeAnswers:
    """Validate answers where any question may be unanswered (absent = nothing known)."""
    return parse_answers(raw, partial=True, sex=sex)


def answer(answers: IntakeAnswers | None, key: str) -> Any:
    return None if answers is None else answers.values.get(key)


def trimester(*, weeks: int | None, answers: IntakeAnswers | None) -> int | None:
    """The trimester from the weeks of pregnancy (patient facts or the intake), else the intake's choice."""
    weeks = weeks if weeks is not None else answer(answers, "pregnancy_weeks")
    if isinstance(weeks, int) and not isinstance(weeks, bool):
        return 1 if weeks < 14 else 2 if weeks < 28 else 3
    return TRIMESTER_OF_ANSWER.get(answer(answers, "pregnancy") or "")


def limbs(answers: IntakeAnswers | None, key: str) -> tuple[str, ...]:
    return tuple(v for v in (answer(answers, key) or ()) if v in LIMBS)


def flag(answers: IntakeAnswers | None, key: str) -> bool:
    value = answer(answers, key)
    return value not in (None, False, "", "no", "none", "not_known")


def number(answers: IntakeAnswers | None, key: str) -> float | None:
    value = answer(answers, key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def screened_reasons(answers: IntakeAnswers, sex: str | None, knowledge: Knowledge) -> tuple[ScreenedReason, ...]:
    """Run the screening engine and keep, per rule that fired, the sites it names."""
    decision = _screen(answers, sex, knowledge)
    rules = {r.id: r for r in knowledge.screening_rules}
    out = []
    for reason in decision.reasons:
        rule = rules.get(reason.rule_id)
        sites = rule.matched_sites(answers) if rule is not None else ()
        if reason.severity in _NOT_NOW:
            effect = "not_now"
        elif reason.severity == "site_block" and sites:
            effect = "site_block"
        elif reason.severity == "precaution" and sites:
            effect = "caution"
        else:
            continue
        out.append(ScreenedReason(reason.rule_id, effect, reason.text, sites, reason.sources, reason.evidence))
    return tuple(out)


def _screen(answers: IntakeAnswers, sex: str | None, knowledge: Knowledge) -> ScreeningDecision:
    return screen(answers, knowledge, context=ScreeningContext(sex=sex))
