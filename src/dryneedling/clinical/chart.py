"""Body-chart interactions: propose muscles for a clicked point, validate and measure pain drawings.

Trigger points are stored on the patient's RIGHT side; the left side is the mirror image
(:func:`bodychart.mirror_x`). On the front view the patient's right is the viewer's left
(x < 100); on the back view it is the viewer's right (x > 100). A click exactly on the midline
(x == 100) is matched against both sides and reported as ``midline``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .bodychart import HEIGHT, WIDTH, get_chart, mirror_x, region_at
from .knowledge import Knowledge, get_knowledge
from .model import VIEWS

MIDLINE_X = WIDTH / 2
INTENSITY_MIN, INTENSITY_MAX = 1, 10


@dataclass(frozen=True)
class Proposal:
    muscle_id: str
    name: str
    side: str
    """``left``, ``right`` or ``midline`` (patient's side)."""
    distance: float
    """Chart units (viewBox 200 x 460) from the clicked point to the nearest trigger point."""
    reason: str


def side_at(*, view: str, x: float) -> str:
    """The patient's side under chart x on a view (bodychart convention)."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (expected 'front' or 'back')")
    if x == MIDLINE_X:
        return "midline"
    right = x < MIDLINE_X if view == "front" else x > MIDLINE_X
    return "right" if right else "left"


def _number(name: str, value: Any, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number")
    if not 0 <= value <= high:
        raise ValueError(f"{name} must lie within the chart (0 to {high:g}), got {value:g}")
    return float(value)


def propose_muscles(
    *, view: str, x: float, y: float, limit: int = 6, knowledge: Knowledge | None = None
) -> list[Proposal]:
    """Muscles whose trigger points lie nearest the clicked point, nearest first (one entry per muscle)."""
    side = side_at(view=view, x=_number("x", x, WIDTH))
    y = _number("y", y, HEIGHT)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError("limit must be a positive integer")
    knowledge = knowledge or get_knowledge()
    chart = get_chart()
    sides = ("right", "left") if side == "midline" else (side,)
    where = region_at(view, x, y)
    place = f" ({chart.by_id[where].label})" if where else ""
    found: list[Proposal] = []
    for m in knowledge.muscles.values():
        best: tuple[float, str] | None = None
        for tp in m.trigger_points:
            if tp.view != view:
                continue
            for s in sides:
                tx = tp.x if s == "right" else mirror_x(tp.x)
                d = math.hypot(tx - x, tp.y - y)
                if best is None or d < best[0]:
                    best = (d, tp.description)
        if best is None:
            continue
        distance, description = best
        reason = (
            f"{m.name}: trigger point '{description}' lies {distance:.0f} chart units from the point"
            f"{place} on the {view} view, patient's {side} side."
        )
        found.append(Proposal(muscle_id=m.id, name=m.name, side=side, distance=round(distance, 2), reason=reason))
    found.sort(key=lambda p: (p.distance, p.name))
    return found[:limit]


def validate_pain_regions(raw: Any) -> dict[str, int]:
    """Check a pain drawing {region_id: intensity 1-10}; returns it ordered by region id."""
    if not isinstance(raw, Mapping):
        raise ValueError("pain regions must be a mapping of region id to intensity")
    ids = get_chart().by_id
    out: dict[str, int] = {}
    for rid, value in raw.items():
        if not isinstance(rid, str) or rid not in ids:
            raise ValueError(f"unknown body-chart region {rid!r}")
        if isinstance(value, bool) or not isinstance(value, int) or not INTENSITY_MIN <= value <= INTENSITY_MAX:
            raise ValueError(f"intensity for {rid} must be a whole number from 1 to 10, got {value!r}")
        out[rid] = value
    return dict(sorted(out.items()))


def pain_extent(*, regions: Mapping[str, int]) -> float:
    """Percentage of body surface drawn as painful (regions with intensity 0 are ignored)."""
    if not isinstance(regions, Mapping):
        raise ValueError("regions must be a mapping of region id to intensity")
    ids = get_chart().by_id
    total = 0.0
    for rid, value in regions.items():
        if not isinstance(rid, str) or rid not in ids:
            raise ValueError(f"unknown body-chart region {rid!r}")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INTENSITY_MAX:
            raise ValueError(f"intensity for {rid} must be a whole number from 0 to 10, got {value!r}")
        if value:
            total += ids[rid].share
    return round(total, 2)
