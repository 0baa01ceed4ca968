"""Finer screening sites: a site block removes only what it must (issue 8, "Whole-limb sites")."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dryneedling.clinical import bodychart
from dryneedling.clinical.screening import ScreeningDecision, parse_answers, screen
from dryneedling.clinical.sites import SITES, site_contains, site_label, site_region_ids

from .helpers import base_answers


def run(**overrides: Any) -> ScreeningDecision:
    return screen(parse_answers(base_answers(**overrides)))


def centre(region_id: str) -> tuple[str, float, float]:
    """A point inside a region (the centroid of its vertices; the regions are convex enough)."""
    region = bodychart.region(region_id)
    xs, ys = zip(*region.polygon, strict=True)
    x, y = sum(xs) / len(xs), sum(ys) / len(ys)
    assert region.contains(x, y), region_id
    return region.view, x, y


def blocked_at(decision: ScreeningDecision, region_id: str) -> bool:
    return bool(decision.blocked_sites_at(*centre(region_id)))


def test_every_site_is_well_formed() -> None:
    chart = bodychart.get_chart()
    for site_id, site in SITES.items():
        assert site.id == site_id and site.label
        assert bool(site.region_ids) != bool(site.zones), site_id
        assert all(r in chart.by_id for r in site.region_ids), site_id
        if site.side:
            assert all(bodychart.side_of(r) == site.side for r in site.region_ids), site_id
        for zone in site.zones:
            # Every zone lies on the drawn body (its centre is inside some region).
            assert bodychart.region_at(zone.view, zone.x, zone.y), (site_id, zone)


def test_old_site_ids_still_read() -> None:
    for site_id in ("head_neck", "chest", "abdomen", "upper_back", "lower_back", "pelvis_buttocks", "left_leg"):
        assert site_id in SITES
    assert site_label("first_web_space").startswith("LI4")
    assert site_label("no_such_site") == "no_such_site"
    assert site_region_ids("no_such_site") == ()
    assert not site_contains("no_such_site", "front", 100, 100)


def test_left_calf_infection_blocks_the_left_calf_only() -> None:
    d = run(infection_sites=["left_calf"])
    assert d.blocked_sites == ("left_calf",)
    assert blocked_at(d, "back.calf.left")
    for elsewhere in ("back.thigh.posterior.left", "back.calf.right", "back.foot.heel.left", "front.foot.dorsal.left"):
        assert not blocked_at(d, elsewhere), elsewhere
    assert d.blocked_region_ids() == ("back.calf.left",)


def test_whole_limb_is_still_blocked_for_lymphoedema() -> None:
    d = run(lymphoedema_limbs=["left_leg"])
    for region in ("front.thigh.anterior.left", "back.calf.left", "front.foot.dorsal.left"):
        assert blocked_at(d, region), region
    assert not blocked_at(d, "back.calf.right")


@pytest.fixture(scope="module")
def pregnant() -> ScreeningDecision:
    return run(pregnancy="second_trimester")


def test_pregnancy_blocks_sp6_but_not_mid_calf(pregnant: ScreeningDecision) -> None:
    # SP6: medial lower leg about 3 cun above the inner ankle bone, both legs, front and back view.
    assert pregnant.blocked_sites_at("back", 110, 410) == ("medial_lower_leg",)
    assert pregnant.blocked_sites_at("front", 90, 410) == ("medial_lower_leg",)
    assert pregnant.blocked_sites_at("front", 110, 410) == ("medial_lower_leg",)  # left leg, mirrored
    assert not blocked_at(pregnant, "back.calf.right")  # mid-calf
    assert not blocked_at(pregnant, "back.calf.left")
    assert not pregnant.blocked_sites_at("front", 85, 380)  # upper shin


def test_pregnancy_blocks_li4_but_not_palm_or_forearm(pregnant: ScreeningDecision) -> None:
    assert pregnant.blocked_sites_at("back", 160, 246) == ("first_web_space",)
    assert pregnant.blocked_sites_at("back", 40, 246) == ("first_web_space",)  # left hand, mirrored
    assert not blocked_at(pregnant, "front.hand.right")  # palm
    assert not blocked_at(pregnant, "front.forearm.right")
    assert not blocked_at(pregnant, "back.forearm.right")
    assert not pregnant.blocked_sites_at("back", 150, 258)  # back of the hand away from the web space


def test_pregnancy_still_blocks_abdomen_low_back_and_foot_points(pregnant: ScreeningDecision) -> None:
    assert blocked_at(pregnant, "front.abdomen.lower.right")
    assert blocked_at(pregnant, "back.lumbar.left")
    assert pregnant.blocked_sites_at("front", 88, 440) == ("ankle_and_foot_points",)  # LV3
    assert not blocked_at(pregnant, "back.thigh.posterior.right")
    reason = next(r for r in pregnant.reasons if r.rule_id == "SCR-SITE-PREGNANCY")
    assert "asap_guidelines" in reason.sources and "aacp_2012" in reason.sources


def test_every_blocking_rule_carries_sources(kb: Any) -> None:
    for rule in kb.screening_rules:
        if rule.effect in ("site_block", "not_suitable_now", "refer", "emergency"):
            assert rule.sources and all(s in kb.sources for s in rule.sources), rule.id


@given(st.sampled_from(["front", "back"]), st.floats(0, 200), st.floats(0, 460))
def test_pregnancy_zones_are_the_same_on_both_sides(view: str, x: float, y: float) -> None:
    for site_id in ("first_web_space", "medial_lower_leg", "ankle_and_foot_points"):
        assert site_contains(site_id, view, x, y) == site_contains(site_id, view, bodychart.mirror_x(x), y)
