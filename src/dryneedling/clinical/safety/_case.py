"""What every check sees, and the small helpers several checks share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..knowledge import GuardrailRule, Knowledge, Muscle
from ._types import InsertionContext, PlannedInsertion

# A check returns None (does not apply), one mapping of placeholder values, or a list of them
# (one guardrail each). Keys starting with "_" are not placeholders: "_rule_id" replaces the
# rule id, "_sources" (comma-separated) adds sources, "_evidence" replaces the evidence tag.
Hit = dict[str, str]
Check = Callable[[GuardrailRule, "Case"], Hit | list[Hit] | None]


@dataclass(frozen=True)
class Case:
    planned: PlannedInsertion
    context: InsertionContext
    muscle: Muscle
    knowledge: Knowledge

    def muscle_of(self, insertion: PlannedInsertion) -> Muscle:
        return self.knowledge.muscles[insertion.muscle_id]

    def partner(self) -> PlannedInsertion | None:
        """The insertion holding the other electrical lead, if the plan names one."""
        e = self.planned.electrical
        others = self.context.other_insertions
        if e is None or e.paired_with is None or e.paired_with >= len(others):
            return None
        return others[e.paired_with]


def sides_of(insertion: PlannedInsertion, muscle: Muscle) -> frozenset[str]:
    """The body sides an insertion may be on. A paired muscle recorded as ``midline`` could be on
    either side, so it counts as both (this closes the midline loophole)."""
    if insertion.side == "midline":
        return frozenset() if muscle.midline else frozenset({"left", "right"})
    return frozenset({insertion.side})


def spans_both_sides(a: frozenset[str], b: frozenset[str]) -> bool:
    return {"left", "right"} <= (a | b)


def limb_hit(c: Case, limb: str | None, limbs: tuple[str, ...]) -> str | None:
    """The first of ``limbs`` (e.g. ``left_arm``) on the insertion's side(s) for a muscle of ``limb``."""
    if limb is None:
        return None
    for side in sorted(sides_of(c.planned, c.muscle)):
        if f"{side}_{limb}" in limbs:
            return f"{side} {limb}"
    return None
