"""Body-chart interactions: muscle proposals for a clicked point, pain drawings and their extent."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dryneedling.clinical.bodychart import get_chart, mirror_x, region_at
from dryneedling.clinical.chart import pain_extent, propose_muscles, side_at, validate_pain_regions
from dryneedling.clinical.knowledge import Knowledge

UT_VIEW, UT_X, UT_Y = "back", 118.0, 82.0  # upper trapezius TrP1, stored on the patient's right


def test_fixture_matches_knowledge(kb: Knowledge) -> None:
    tp = kb.muscles["upper_trapezius"].trigger_points[0]
    assert (tp.view, tp.x, tp.y) == (UT_VIEW, UT_X, UT_Y)


def test_side_follows_bodychart_convention() -> None:
    assert side_at(view="front", x=60) == "right"
    assert side_at(view="front", x=140) == "left"
    assert side_at(view="back", x=140) == "right"
    assert side_at(view="back", x=60) == "left"
    assert side_at(view="back", x=100) == "midline"
    for view, x in (("front", 60.0), ("front", 140.0), ("back", 60.0), ("back", 140.0)):
        rid = region_at(view, x, 120)
        assert rid is not None and rid.endswith(side_at(view=view, x=x)), (view, x, rid)


def test_finds_upper_trapezius_on_the_right() -> None:
    props = propose_muscles(view=UT_VIEW, x=UT_X + 1, y=UT_Y + 1)
    assert props[0].muscle_id == "upper_trapezius" and props[0].side == "right"
    assert props[0].distance == pytest.approx(2**0.5, abs=0.01)
    assert "Upper trapezius" in props[0].reason and "right" in props[0].reason
    assert len(props) == 6
    assert [p.distance for p in props] == sorted(p.distance for p in props)
    assert len({p.muscle_id for p in props}) == len(props)


def test_mirrored_click_finds_upper_trapezius_on_the_left() -> None:
    props = propose_muscles(view=UT_VIEW, x=mirror_x(UT_X), y=UT_Y, limit=3)
    assert props[0].muscle_id == "upper_trapezius"
    assert props[0].side == "left" and props[0].distance == 0
    assert all(p.side == "left" for p in props) and len(props) == 3


def test_front_view_mirrors_the_other_way(kb: Knowledge) -> None:
    tp = kb.muscles["sternocleidomastoid"].trigger_points[0]
    assert tp.view == "front" and tp.x < 100
    right = propose_muscles(view="front", x=tp.x, y=tp.y, limit=1)[0]
    left = propose_muscles(view="front", x=mirror_x(tp.x), y=tp.y, limit=1)[0]
    assert (right.muscle_id, right.side) == ("sternocleidomastoid", "right")
    assert (left.muscle_id, left.side, left.distance) == ("sternocleidomastoid", "left", 0)


def test_only_trigger_points_of_the_clicked_view_count() -> None:
    front = propose_muscles(view="front", x=UT_X, y=UT_Y, limit=50)
    assert "upper_trapezius" not in {p.muscle_id for p in front}


def test_midline_click_matches_both_sides(kb: Knowledge) -> None:
    props = propose_muscles(view="back", x=100, y=212, limit=2)
    assert props[0].muscle_id == "lumbar_multifidus" and props[0].side == "midline"
    assert props[0].distance == pytest.approx(4.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"view": "side"}, "unknown view"),
        ({"x": -1}, "within the chart"),
        ({"y": 461}, "within the chart"),
        ({"x": float("nan")}, "number"),
        ({"limit": 0}, "positive integer"),
    ],
)
def test_propose_rejects_bad_input(kwargs: dict[str, Any], match: str) -> None:
    args: dict[str, Any] = {"view": "back", "x": 100.0, "y": 100.0, **kwargs}
    with pytest.raises(ValueError, match=match):
        propose_muscles(**args)


@settings(max_examples=60, deadline=None)
@given(view=st.sampled_from(["front", "back"]), x=st.floats(0, 200), y=st.floats(0, 460))
def test_property_proposals_sorted_and_sided(view: str, x: float, y: float) -> None:
    props = propose_muscles(view=view, x=x, y=y)
    assert 1 <= len(props) <= 6
    assert [p.distance for p in props] == sorted(p.distance for p in props)
    assert {p.side for p in props} == {side_at(view=view, x=x)}


# -- pain drawings ----------------------------------------------------------------------------------
def test_pain_extent_sums_region_shares() -> None:
    chart = get_chart()
    assert pain_extent(regions={rid: 5 for rid in chart.by_id}) == pytest.approx(100.0, abs=0.5)
    assert pain_extent(regions={}) == 0
    one = "front.chest.right"
    assert pain_extent(regions={one: 7}) == pytest.approx(chart.by_id[one].share)
    both = {"front.chest.right": 3, "front.chest.left": 9}
    assert pain_extent(regions=both) == pytest.approx(sum(chart.by_id[r].share for r in both))


def test_pain_extent_ignores_zero_intensity() -> None:
    assert pain_extent(regions={"front.chest.right": 0, "front.chest.left": 4}) == pytest.approx(
        get_chart().by_id["front.chest.left"].share
    )


@pytest.mark.parametrize(
    "regions, match",
    [
        ({"front.tail": 3}, "unknown body-chart region"),
        ({"front.chest.right": 11}, "0 to 10"),
        ({"front.chest.right": -1}, "0 to 10"),
        ({"front.chest.right": 2.5}, "0 to 10"),
        ({"front.chest.right": True}, "0 to 10"),
    ],
)
def test_pain_extent_rejects_bad_regions(regions: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        pain_extent(regions=regions)


def test_validate_pain_regions_accepts_and_orders() -> None:
    raw = {"front.neck.right": 4, "back.neck.left": 10, "back.head.vertex": 1}
    out = validate_pain_regions(raw)
    assert out == raw and list(out) == sorted(raw)


@pytest.mark.parametrize(
    "raw, match",
    [
        (["front.neck.right"], "mapping"),
        ({"front.neck.middle": 3}, "unknown body-chart region"),
        ({"front.neck.right": 0}, "1 to 10"),
        ({"front.neck.right": 11}, "1 to 10"),
        ({"front.neck.right": "5"}, "1 to 10"),
        ({"front.neck.right": False}, "1 to 10"),
        ({3: 3}, "unknown body-chart region"),
    ],
)
def test_validate_pain_regions_rejects(raw: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        validate_pain_regions(raw)
