"""Referral lookup: which muscles' referred pain could explain the pain regions drawn?

Muscles refer pain to the same side. A muscle whose *primary* (essential) zone covers a
pain region always ranks above one that only reaches it by spill-over.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .bodychart import base_of, expand_base, get_chart, mirror_x, side_of
from .knowledge import Knowledge, Muscle, get_knowledge

PRIMARY_WEIGHT = 1.0
SPILLOVER_WEIGHT = 0.5


@dataclass(frozen=True)
class ReferralMatch:
    muscle_id: str
    score: float
    primary_regions: tuple[str, ...]
    spillover_regions: tuple[str, ...]
    reason: str
    sides: tuple[str, ...] = ()
    """Side(s) of the body on which the muscle would lie (empty if only midline regions matched)."""
    muscle_name: str = ""
    coverage: float = 0.0
    """Share of the pain regions this muscle explains (0-1)."""

    @property
    def is_primary(self) -> bool:
        return bool(self.primary_regions)


def _labels(ids: Iterable[str]) -> str:
    chart = get_chart()
    return ", ".join(chart.by_id[r].label for r in ids)


def _hits(bases: tuple[str, ...], regions: tuple[str, ...], side: str) -> tuple[str, ...]:
    return tuple(r for r in regions if base_of(r) in bases and side_of(r) in (side, None))


def muscles_for_pain_regions(*, region_ids: Iterable[str], knowledge: Knowledge | None = None) -> list[ReferralMatch]:
    """Rank muscles whose referral pattern covers the given body-chart regions."""
    knowledge = knowledge or get_knowledge()
    chart = get_chart()
    regions = tuple(dict.fromkeys(region_ids))
    for rid in regions:
        if rid not in chart.by_id:
            raise ValueError(f"unknown body-chart region {rid!r}")
    if not regions:
        return []
    matches: list[ReferralMatch] = []
    for m in knowledge.muscles.values():
        best: tuple[float, tuple[str, ...], tuple[str, ...]] = (0.0, (), ())
        sides: list[str] = []
        for side in ("right", "left"):
            primary = _hits(m.referral_primary, regions, side)
            spill = _hits(m.referral_spillover, regions, side)
            score = PRIMARY_WEIGHT * len(primary) + SPILLOVER_WEIGHT * len(spill)
            if score == 0:
                continue
            key = (len(primary), score)
            if key > (len(best[1]), best[0]):
                best, sides = (score, primary, spill), [side]
            elif key == (len(best[1]), best[0]):
                sides.append(side)
        score, primary, spill = best
        if score == 0:
            continue
        if all(side_of(r) is None for r in primary + spill):
            sides = []
        parts = []
        if primary:
            parts.append(f"primary referral zone covers {_labels(primary)}")
        if spill:
            parts.append(f"spill-over zone covers {_labels(spill)}")
        reason = f"{m.name}: {'; '.join(parts)}. Pattern: {m.referral_text} [{m.referral_evidence}]"
        matches.append(
            ReferralMatch(
                muscle_id=m.id,
                score=score,
                primary_regions=primary,
                spillover_regions=spill,
                reason=reason,
                sides=tuple(sides),
                muscle_name=m.name,
                coverage=len(set(primary + spill)) / len(regions),
            )
        )
    matches.sort(key=lambda x: (not x.is_primary, -len(x.primary_regions), -x.score, -x.coverage, x.muscle_name))
    return matches


def muscles_for_condition(*, condition_id: str, knowledge: Knowledge | None = None) -> list[Muscle]:
    """The muscles commonly needled for a condition, in the order the knowledge base lists them."""
    knowledge = knowledge or get_knowledge()
    if condition_id not in knowledge.conditions:
        raise KeyError(f"unknown condition id {condition_id!r}")
    return [knowledge.muscles[mid] for mid in knowledge.conditions[condition_id].muscles]


def referral_highlights(*, muscle_id: str, side: str = "right", knowledge: Knowledge | None = None) -> dict[str, str]:
    """``highlight_regions`` for :func:`bodychart.render_svg` showing a muscle's referral pattern."""
    knowledge = knowledge or get_knowledge()
    m = knowledge.muscles[muscle_id]
    out: dict[str, str] = {}
    for base in m.referral_spillover:
        out.update({rid: "referral-spillover" for rid in expand_base(base, side)})
    for base in m.referral_primary:
        out.update({rid: "referral-primary" for rid in expand_base(base, side)})
    return out


def trigger_point_markers(
    *, muscle_id: str, side: str = "right", view: str | None = None, knowledge: Knowledge | None = None
) -> list[dict[str, Any]]:
    """``points`` for :func:`bodychart.render_svg`: the muscle's trigger points on one side."""
    knowledge = knowledge or get_knowledge()
    m = knowledge.muscles[muscle_id]
    points = []
    for i, tp in enumerate(m.trigger_points):
        if view is not None and tp.view != view:
            continue
        x = tp.x if side == "right" else mirror_x(tp.x)
        points.append(
            {
                "x": x,
                "y": tp.y,
                "label": f"{m.name}: {tp.description}",
                "class": "trigger-point",
                "view": tp.view,
                "data": {"muscle": m.id, "index": i, "side": side},
            }
        )
    return points
