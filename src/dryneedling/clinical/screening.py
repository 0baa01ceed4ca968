"""Screening engine: intake answers -> a decision with reasons, rule ids and sources.

Decisions, from most to least permissive: ``suitable``, ``suitable_with_precautions``,
``not_suitable_at_some_sites``, ``not_suitable_now``. Red flags set ``refer_to_physician``
(and needling waits: ``not_suitable_now``). An emergency (e.g. chest pain or shortness of
breath now) sets ``emergency``: call emergency services now, shown before anything else.
Rules live in ``data/screening_rules.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .intake import (
    AREAS,
    KINDS,
    LIMBS,
    QUESTIONS,
    QUESTIONS_BY_KEY,
    SITES,
    AnswerError,
    IntakeAnswers,
    Question,
    parse_answers,
    site_contains,
    site_label,
    site_region_ids,
)
from .knowledge import Knowledge, get_knowledge
from .rules import DEFAULT_AGE_OF_CONSENT, ScreeningContext, ScreeningRule

__all__ = [
    "AREAS",
    "DECISIONS",
    "DECISION_LABELS",
    "DEFAULT_AGE_OF_CONSENT",
    "EMERGENCY_LABEL",
    "KINDS",
    "LIMBS",
    "QUESTIONS",
    "QUESTIONS_BY_KEY",
    "REFER_LABEL",
    "SITES",
    "AnswerError",
    "IntakeAnswers",
    "Question",
    "Reason",
    "ScreeningContext",
    "ScreeningDecision",
    "decision_rank",
    "parse_answers",
    "screen",
    "site_contains",
    "site_region_ids",
]

DECISIONS: tuple[str, ...] = ("suitable", "suitable_with_precautions", "not_suitable_at_some_sites", "not_suitable_now")
DECISION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "suitable": "Suitable",
        "suitable_with_precautions": "Suitable with precautions",
        "not_suitable_at_some_sites": "Not suitable at some sites",
        "not_suitable_now": "Not suitable now",
    }
)
REFER_LABEL = "Refer to a physician"
EMERGENCY_LABEL = "Emergency: call emergency services now"
_EFFECT_DECISION = {
    "emergency": "not_suitable_now",
    "note": "suitable",
    "precaution": "suitable_with_precautions",
    "site_block": "not_suitable_at_some_sites",
    "not_suitable_now": "not_suitable_now",
    "refer": "not_suitable_now",
}
_EFFECT_SEVERITY = {
    "emergency": "emergency",
    "refer": "refer",
    "not_suitable_now": "block",
    "site_block": "site_block",
    "precaution": "precaution",
    "note": "info",
}
SEVERITY_ORDER: tuple[str, ...] = ("emergency", "refer", "block", "site_block", "precaution", "info")


def decision_rank(decision: str) -> int:
    """0 = most permissive (``suitable``) ... 3 = least (``not_suitable_now``)."""
    return DECISIONS.index(decision)


@dataclass(frozen=True)
class Reason:
    rule_id: str
    text: str
    severity: str
    sources: tuple[str, ...]
    evidence: str
    citations: tuple[str, ...] = ()
    contraindication: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "text": self.text,
            "severity": self.severity,
            "sources": list(self.sources),
            "evidence": self.evidence,
            "citations": list(self.citations),
            "contraindication": self.contraindication,
        }


@dataclass(frozen=True)
class ScreeningDecision:
    decision: str
    refer_to_physician: bool
    reasons: tuple[Reason, ...]
    blocked_sites: tuple[str, ...]
    caution_sites: tuple[str, ...]
    knowledge_version: str
    emergency: bool = False

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule_id for r in self.reasons)

    @property
    def label(self) -> str:
        return DECISION_LABELS[self.decision]

    @property
    def precautions_required(self) -> bool:
        """True when a clinician must document an override before needling."""
        return any(r.severity == "precaution" for r in self.reasons)

    def blocked_region_ids(self) -> tuple[str, ...]:
        """Regions of the blocked region sites (zone sites have none: use :meth:`blocked_sites_at`)."""
        return tuple(dict.fromkeys(rid for site in self.blocked_sites for rid in site_region_ids(site)))

    def blocked_sites_at(self, view: str, x: float, y: float) -> tuple[str, ...]:
        """The blocked sites (regions or small zones) that contain a chart point."""
        return tuple(s for s in self.blocked_sites if site_contains(s, view, x, y))

    def caution_sites_at(self, view: str, x: float, y: float) -> tuple[str, ...]:
        return tuple(s for s in self.caution_sites if site_contains(s, view, x, y))

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "label": self.label,
            "emergency": self.emergency,
            "refer_to_physician": self.refer_to_physician,
            "reasons": [r.to_dict() for r in self.reasons],
            "rule_ids": list(self.rule_ids),
            "blocked_sites": list(self.blocked_sites),
            "blocked_site_labels": [site_label(s) for s in self.blocked_sites],
            "caution_sites": list(self.caution_sites),
            "knowledge_version": self.knowledge_version,
        }


def _reason(
    rule: ScreeningRule, answers: IntakeAnswers, knowledge: Knowledge, context: ScreeningContext
) -> tuple[Reason, tuple[str, ...]]:
    sites = rule.matched_sites(answers)
    text = rule.reason.replace("{sites}", ", ".join(site_label(s) for s in sites) or "see notes")
    text = text.replace("{age_of_consent}", str(context.age_of_consent))
    reason = Reason(
        rule_id=rule.id,
        text=text,
        severity=_EFFECT_SEVERITY[rule.effect],
        sources=rule.sources,
        evidence=rule.evidence,
        citations=knowledge.cite(rule.sources),
        contraindication=rule.contraindication,
    )
    return reason, sites


def screen(
    answers: IntakeAnswers, knowledge: Knowledge | None = None, *, context: ScreeningContext | None = None
) -> ScreeningDecision:
    """Apply every screening rule to the answers (and the context) and combine the effects."""
    knowledge = knowledge or get_knowledge()
    context = context or ScreeningContext()
    rank = 0
    refer = emergency = False
    reasons: list[Reason] = []
    blocked: list[str] = []
    caution: list[str] = []
    for rule in knowledge.screening_rules:
        if not rule.holds(answers, context):
            continue
        reason, sites = _reason(rule, answers, knowledge, context)
        reasons.append(reason)
        rank = max(rank, decision_rank(_EFFECT_DECISION[rule.effect]))
        refer = refer or rule.effect == "refer"
        emergency = emergency or rule.effect == "emergency"
        if rule.effect == "site_block":
            blocked.extend(sites)
        elif rule.effect == "precaution":
            caution.extend(sites)
    reasons.sort(key=lambda r: SEVERITY_ORDER.index(r.severity))
    return ScreeningDecision(
        decision=DECISIONS[rank],
        refer_to_physician=refer,
        reasons=tuple(reasons),
        blocked_sites=tuple(dict.fromkeys(blocked)),
        caution_sites=tuple(dict.fromkeys(caution)),
        knowledge_version=knowledge.version,
        emergency=emergency,
    )
