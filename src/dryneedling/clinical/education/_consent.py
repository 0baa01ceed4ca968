"""What an optional consent item covers, validated against the knowledge base."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .._reader import Entry
from ..knowledge import Knowledge, KnowledgeError, Muscle


@dataclass(frozen=True)
class ConsentCover:
    """What an optional consent item covers: declining it blocks these muscles and techniques."""

    muscles: tuple[str, ...] = ()
    lung_risk: bool = False
    techniques: tuple[str, ...] = ()

    def applies(self, muscle: Muscle, technique: str) -> bool:
        return muscle.id in self.muscles or (self.lung_risk and muscle.lung_risk) or technique in self.techniques


class _Item(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def covers(self) -> ConsentCover | None: ...


def read_covers(e: Entry, knowledge: Knowledge) -> ConsentCover:
    from ..safety._types import TECHNIQUES  # not at import time: the safety package reads this module

    c = e.sub("covers")
    cover = ConsentCover(
        muscles=c.texts("muscles", required=False),
        lung_risk=c.flag("lung_risk"),
        techniques=c.texts("techniques", required=False),
    )
    c.finish()
    for mid in cover.muscles:
        if mid not in knowledge.muscles:
            raise e.error("covers.muscles", f"unknown muscle id '{mid}'")
    for technique in cover.techniques:
        if technique not in TECHNIQUES:
            raise e.error("covers.techniques", f"'{technique}' is not one of {', '.join(TECHNIQUES)}")
    if not (cover.muscles or cover.lung_risk or cover.techniques):
        raise e.error("covers", "covers nothing: list muscles, lung_risk: true or techniques")
    return cover


# The chest wall and neck item must cover at least these (and every lung-risk muscle).
CHEST_WALL_NECK_MUSCLES: tuple[str, ...] = ("upper_trapezius", "pectoralis_major")


def check_chest_wall(consent: Sequence[_Item], knowledge: Knowledge, file: str) -> None:
    item = next((c for c in consent if c.id == "chest_wall_neck"), None)
    cover = item.covers if item else None
    if cover is None:
        return
    needed = set(CHEST_WALL_NECK_MUSCLES) | {m.id for m in knowledge.muscles.values() if m.lung_risk}
    missing = sorted(m for m in needed if not cover.applies(knowledge.muscles[m], "pistoning"))
    if missing:
        raise KnowledgeError(
            file=file, entry="chest_wall_neck", field="covers", problem=f"does not cover '{missing[0]}'"
        )
