"""Where an insertion lies on the body chart, and whether that point is inside a screening site."""

from __future__ import annotations

from ..referral import trigger_point_markers
from ..sites import site_contains
from ._case import Case, sides_of


def points_of(c: Case) -> list[tuple[str, float, float]]:
    """The charted point, or else every trigger point of the muscle on the insertion's side(s)."""
    loc = c.planned.location
    if loc is not None:
        return [(loc.view, loc.x, loc.y)]
    points: list[tuple[str, float, float]] = []
    for side in sorted(sides_of(c.planned, c.muscle)) or ["right", "left"]:
        markers = trigger_point_markers(muscle_id=c.muscle.id, side=side, knowledge=c.knowledge)
        points += [(str(p["view"]), float(p["x"]), float(p["y"])) for p in markers]
    return points


def point_in_site(site: str, view: str, x: float, y: float) -> bool:
    return site_contains(site, view, x, y)
