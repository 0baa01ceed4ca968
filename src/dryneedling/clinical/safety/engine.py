"""The safety engine's one entry point: :func:`evaluate` a :class:`SafetyPlan` into a :class:`Verdict`.

The web session builds the same plan from the database and calls the same function, so the CLI
(`dryneedling guardrails --plan FILE.json`) shows exactly what the session screen enforces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..knowledge import Knowledge, get_knowledge
from ._run import check_insertion
from ._types import LEVELS, Guardrail
from .plan import SafetyPlan

VERDICTS: tuple[str, ...] = ("allowed", "warn", "block")


@dataclass(frozen=True)
class Verdict:
    level: str  # "allowed" | "warn" | "block"
    reasons: tuple[Guardrail, ...]

    @property
    def blocked(self) -> bool:
        return self.level == "block"

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.level, "reasons": [g.to_dict() for g in self.reasons]}


def verdict_of(reasons: tuple[Guardrail, ...]) -> Verdict:
    ordered = tuple(sorted(reasons, key=lambda g: LEVELS.index(g.level)))
    levels = {g.level for g in ordered}
    level = "block" if "block" in levels else "warn" if "warn" in levels else "allowed"
    return Verdict(level=level, reasons=ordered)


def evaluate(plan: SafetyPlan, *, knowledge: Knowledge | None = None) -> Verdict:
    """Every block and warning for the plan's insertion, each with its rule id and sources."""
    from ..credentials import credential_problems

    k = knowledge or get_knowledge()
    reasons = check_insertion(planned=plan.insertion, context=plan.context(k), knowledge=k)
    if plan.clinician is not None:
        c = plan.clinician
        reasons += credential_problems(
            jurisdiction=c.jurisdiction, profession=c.profession, training_hours=c.training_hours
        )
    return verdict_of(reasons)
