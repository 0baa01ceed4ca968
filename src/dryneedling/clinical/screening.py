"""Screening engine: intake answers -> a decision with reasons, rule ids and sources.

Decisions, from most to least permissive: ``suitable``, ``suitable_with_precautions``,
``not_suitable_at_some_sites``, ``not_suitable_now``. Red flags set ``refer_to_physician``
(and needling waits: ``not_suitable_now``). Rules live in ``data/screening_rules.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .bodychart import get_chart
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
    site_label,
)
from .knowledge import Knowledge, get_knowledge
from .rules import ScreeningRule

__all__ = [
    "AREAS",
    "DECISIONS",
    "DECISION_LABELS",
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
    "ScreeningDecision",
    "decision_rank",
    "parse_answers",
    "screen",
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
_EFFECT_DECISION = {
    "note": "suitable",
    "precaution": "suitable_with_precautions",
    "site_block": "not_suitable_at_some_sites",
    "not_suitable_now": "not_suitable_now",
    "refer": "not_suitable_now",
}
_EFFECT_SEVERITY = {
    "refer": "refer",
    "not_suitable_now": "block",
    "site_block": "site_block",
    "precaution": "precaution",
    "note": "info",
}
SEVERITY_ORDER: tuple[str, ...] = ("refer", "block", "site_block", "precaution", "info")


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
        return tuple(dict.fromkeys(rid for site in self.blocked_sites for rid in site_region_ids(site)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "label": self.label,
            "refer_to_physician": self.refer_to_physician,
            "reasons": [r.to_dict() for r in self.reasons],
            "rule_ids": list(self.rule_ids),
            "blocked_sites": list(self.blocked_sites),
            "blocked_site_labels": [site_label(s) for s in self.blocked_sites],
            "caution_sites": list(self.caution_sites),
            "knowledge_version": self.knowledge_version,
        }


def site_region_ids(site: str) -> tuple[str, ...]:
    """Body-chart region ids covered by a screening site (e.g. ``left_arm``)."""
    _, side, prefixes = SITES[site]
    out = []
    for region in get_chart().by_id.values():
        if side is not None and region.side != side:
            continue
        if any(region.base == p or region.base.startswith(p + ".") for p in prefixes):
            out.append(region.id)
    return tuple(out)


def _reason(rule: ScreeningRule, answers: IntakeAnswers, knowledge: Knowledge) -> tuple[Reason, tuple[str, ...]]:
    sites = rule.matched_sites(answers)
    text = rule.reason.replace("{sites}", ", ".join(site_label(s) for s in sites) or "see notes")
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


def screen(answers: IntakeAnswers, knowledge: Knowledge | None = None) -> ScreeningDecision:
    """Apply every screening rule to the answers and combine the effects."""
    knowledge = knowledge or get_knowledge()
    rank = 0
    refer = False
    reasons: list[Reason] = []
    blocked: list[str] = []
    caution: list[str] = []
    for rule in knowledge.screening_rules:
        if not rule.when.holds(answers):
            continue
        reason, sites = _reason(rule, answers, knowledge)
        reasons.append(reason)
        rank = max(rank, decision_rank(_EFFECT_DECISION[rule.effect]))
        refer = refer or rule.effect == "refer"
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
    )
