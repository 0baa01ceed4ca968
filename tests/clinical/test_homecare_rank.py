"""Home-care plans in proportion: items ranked by relevance, safety items always, a capped default."""

from __future__ import annotations

import pytest

from dryneedling.clinical.homecare import (
    DEFAULT_MAX_ITEMS,
    SAFETY_KINDS,
    build_plan,
    get_homecare,
    suggestions,
)
from dryneedling.clinical.knowledge import get_knowledge

KB = get_knowledge()
LIB = get_homecare()
BY_ID = {lib.item.id: lib for lib in LIB.items}
SAFETY = [lib.item.id for lib in LIB.items if lib.kind in SAFETY_KINDS]


def _ids(muscles: list[str], condition: str | None) -> list[str]:
    plan = build_plan(muscle_ids=muscles, condition_id=condition)
    return [i.id for s in plan.sections for i in s.items]


def _area_muscles(muscle_id: str) -> set[str]:
    area = LIB.area_of[muscle_id]
    return set(LIB.areas[area].muscles)


def test_the_cap_is_between_6_and_8_and_leaves_room_to_do_something() -> None:
    assert 6 <= DEFAULT_MAX_ITEMS <= 8
    assert len(SAFETY) < DEFAULT_MAX_ITEMS


# Several muscle/condition combinations: the general rule, not one example.
COMBOS = [
    (["gluteus_maximus"], None),
    (["gluteus_maximus"], "low_back_pain"),
    (["gluteus_medius", "piriformis"], "hip_pain"),
    (["upper_trapezius"], "neck_pain"),
    (list(KB.conditions["neck_pain"].muscles), "neck_pain"),
    (["infraspinatus", "deltoid"], "shoulder_pain"),
    (["extensor_carpi_radialis_brevis"], "lateral_epicondylalgia"),
    (["gastrocnemius", "soleus"], "plantar_heel_pain"),
    (["masseter"], "tmd_myogenous"),
    (list(KB.conditions["knee_pain"].muscles), "knee_pain"),
    ([], "myofascial_pain_syndrome"),
    ([], None),
]


@pytest.mark.parametrize(("muscles", "condition"), COMBOS)
def test_default_plan_is_capped_and_always_holds_after_care_and_red_flags(
    muscles: list[str], condition: str | None
) -> None:
    ids = _ids(muscles, condition)
    assert len(ids) <= DEFAULT_MAX_ITEMS
    assert set(SAFETY) <= set(ids)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("muscles", "condition"), COMBOS)
def test_every_item_is_related_to_the_muscles_or_the_condition(muscles: list[str], condition: str | None) -> None:
    near = set(muscles) | {m for mid in muscles for m in _area_muscles(mid)}
    for item_id in _ids(muscles, condition):
        lib = BY_ID[item_id]
        if lib.kind in SAFETY_KINDS or lib.kind == "heat":
            continue
        if lib.kind == "strength":
            assert condition in lib.conditions, item_id
        else:
            assert near & set(lib.muscles), (item_id, muscles)


@pytest.mark.parametrize(("muscles", "condition"), [c for c in COMBOS if c[0]])
def test_an_exact_muscle_match_comes_first(muscles: list[str], condition: str | None) -> None:
    ids = [i for i in _ids(muscles, condition) if BY_ID[i].kind not in SAFETY_KINDS]
    assert ids and set(BY_ID[ids[0]].muscles) & set(muscles)


def test_one_gluteal_point_gives_a_short_hip_plan() -> None:
    ids = _ids(["gluteus_maximus"], "low_back_pain")
    assert len(ids) <= DEFAULT_MAX_ITEMS
    to_do = [i for i in ids if i not in SAFETY]
    assert "stretch_figure_four" in to_do
    for item_id in to_do:  # nothing for the neck, arms, calves or jaw
        lib = BY_ID[item_id]
        if lib.muscles:
            assert {LIB.area_of[m] for m in lib.muscles} & {"hip", "low_back"}, item_id


def test_ranking_tiers_exact_then_region_then_condition_then_general() -> None:
    ranked = suggestions(muscle_ids=["gluteus_maximus"], condition_id="low_back_pain")
    tiers = [s.tier for s in ranked]
    order = ["safety", "muscle", "region", "condition", "general"]
    assert tiers == sorted(tiers, key=order.index)
    assert {"safety", "muscle", "region", "condition", "general"} <= set(tiers)
    by_id = {s.item.id: s for s in ranked}
    assert by_id["stretch_figure_four"].tier == "muscle"
    assert by_id["stretch_outer_hip"].tier == "region"
    assert by_id["strength_bridge"].tier == "condition"
    assert by_id["heat_pack"].tier == "general"
    assert "chin_tuck" not in by_id and "jaw_rest" not in by_id  # unrelated: never suggested
    assert all(s.reason for s in ranked)


def test_the_default_plan_is_the_head_of_the_suggestions() -> None:
    for muscles, condition in COMBOS:
        ranked = [s.item.id for s in suggestions(muscle_ids=muscles, condition_id=condition)]
        assert set(_ids(muscles, condition)) == set(ranked[:DEFAULT_MAX_ITEMS])


def test_items_matching_more_of_the_muscles_rank_higher() -> None:
    ranked = suggestions(muscle_ids=["upper_trapezius", "levator_scapulae"], condition_id=None)
    muscle_tier = [s.item.id for s in ranked if s.tier == "muscle"]
    assert muscle_tier[0] == "stretch_look_to_armpit"  # works both


def test_every_muscle_is_in_exactly_one_area() -> None:
    assert set(LIB.area_of) == set(KB.muscles)
    counted = [m for a in LIB.areas.values() for m in a.muscles]
    assert len(counted) == len(set(counted))
