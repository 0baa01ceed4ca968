"""Ranking the home-care library for one patient: what is most relevant first, safety always.

Tiers, best first (``TIERS``):

* ``safety``: after-care and red flags, always in the plan whatever the cap;
* ``muscle``: a stretch, self-care or yoga item for a muscle needled;
* ``region``: one for another muscle of the same area of the body (``areas`` in homecare.yaml);
* ``condition``: a strengthening exercise for the condition treated;
* ``general``: heat, good for any tight muscle.

Everything else in the library (the jaw for a gluteal point) is not suggested at all. Within a tier an
item working more of the muscles needled (or of their areas) comes first, then by kind (stretch,
self-care, yoga, strength, heat), then in library order, so the same input always ranks the same.
The default plan is the head of that list, at most ``DEFAULT_MAX_ITEMS`` items; the clinician can add
any of the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .homecare import HomeCareData, Item, LibraryItem
    from .knowledge import Knowledge

TIERS: tuple[str, ...] = ("safety", "muscle", "region", "condition", "general")
SAFETY_KINDS: frozenset[str] = frozenset({"after_care", "red_flag"})
KIND_ORDER: tuple[str, ...] = ("after_care", "red_flag", "stretch", "self_care", "yoga", "strength", "heat")

DEFAULT_MAX_ITEMS = 8
"""The default plan holds at most 8 items: the 5 after-care and red-flag items, which are always
there, and the 3 most relevant things to do. Fewer home exercises are done more faithfully (Henry,
Rosemond & Eckert, Phys Ther 1999: better adherence with 2 or 3 exercises than with 8) [M], and 8
items with their drawings print on two pages. The clinician adds more with one click."""
CAP_SOURCE = (
    "Henry KD, Rosemond C, Eckert LB. Effect of number of home exercises on compliance and performance "
    "in adults over 65 years of age. Phys Ther 1999;79:270-277 [M: as widely cited, not read here]"
)


@dataclass(frozen=True)
class Suggestion:
    """One library item ranked for the plan, with why, in words for the clinician."""

    item: Item
    kind: str
    tier: str
    reason: str


def _names(knowledge: Knowledge, ids: Sequence[str]) -> str:
    return ", ".join(knowledge.muscles[m].name.lower() for m in ids)


def rank(
    data: HomeCareData, knowledge: Knowledge, *, muscle_ids: Sequence[str], condition_id: str | None
) -> tuple[Suggestion, ...]:
    """Every relevant library item for these muscles and this condition, best first."""
    wanted = list(dict.fromkeys(muscle_ids))
    areas = list(dict.fromkeys(data.area_of[m] for m in wanted))
    condition = knowledge.conditions[condition_id].name if condition_id else ""
    ranked: list[tuple[tuple[int, int, int, int], Suggestion]] = []
    for position, lib in enumerate(data.items):
        placed = _place(data, knowledge, lib, wanted, areas, condition_id, condition)
        if placed is None:
            continue
        tier, matches, reason = placed
        key = (TIERS.index(tier), -matches, KIND_ORDER.index(lib.kind), position)
        ranked.append((key, Suggestion(item=lib.item, kind=lib.kind, tier=tier, reason=reason)))
    return tuple(s for _, s in sorted(ranked, key=lambda pair: pair[0]))


def _place(
    data: HomeCareData,
    knowledge: Knowledge,
    lib: LibraryItem,
    wanted: list[str],
    areas: list[str],
    condition_id: str | None,
    condition: str,
) -> tuple[str, int, str] | None:
    if lib.kind in SAFETY_KINDS:
        return "safety", 0, "Always given after needling"
    if lib.kind == "heat":
        return "general", 0, "General advice for tight muscles"
    if lib.kind == "strength":
        if condition_id in lib.conditions:
            return "condition", 0, f"Strengthening for {condition.lower()}"
        return None
    exact = [m for m in wanted if m in lib.muscles]
    if exact:
        return "muscle", len(exact), f"Works the muscle needled: {_names(knowledge, exact)}"
    near = [a for a in areas if any(data.area_of[m] == a for m in lib.muscles)]
    if near:
        named = ", ".join(data.areas[a].name for a in near)
        return "region", len(near), f"Same area of the body ({named})"
    return None


def default_ids(ranked: Sequence[Suggestion], max_items: int | None = DEFAULT_MAX_ITEMS) -> set[str]:
    """The ids the default plan keeps: every safety item, then the best of the rest up to the cap."""
    safety = [s.item.id for s in ranked if s.tier == "safety"]
    rest = [s.item.id for s in ranked if s.tier != "safety"]
    room = len(rest) if max_items is None else max(0, max_items - len(safety))
    return set(safety) | set(rest[:room])
