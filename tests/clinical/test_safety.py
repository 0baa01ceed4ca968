"""Guardrails for single planned insertions."""

from __future__ import annotations

import pytest

from dryneedling.clinical.knowledge import Knowledge
from dryneedling.clinical.safety import (
    Guardrail,
    InsertionContext,
    PlannedInsertion,
    check_insertion,
    is_blocked,
)


def ids(guardrails: tuple[Guardrail, ...], level: str | None = None) -> set[str]:
    return {g.rule_id for g in guardrails if level is None or g.level == level}


def check(
    muscle: str,
    side: str = "right",
    length: float = 13,
    handling: str | None = "bracketing",
    distance: float | None = None,
    **context: object,
) -> tuple[Guardrail, ...]:
    planned = PlannedInsertion(
        muscle_id=muscle, side=side, needle_length_mm=length, handling=handling, distance_from_midline_cm=distance
    )
    return check_insertion(planned=planned, context=InsertionContext(**context))  # type: ignore[arg-type]


def test_bilateral_thoracic_plan_is_blocked() -> None:
    other = PlannedInsertion(muscle_id="rhomboids", side="right", needle_length_mm=13, handling="bracketing")
    result = check("rhomboids", side="left", other_insertions=(other,))
    assert "GR-THORAX-BILATERAL" in ids(result, "block")
    assert is_blocked(result)
    assert result[0].level == "block"
    mixed = PlannedInsertion(muscle_id="upper_trapezius", side="right", needle_length_mm=25, handling="pincer")
    assert "GR-THORAX-BILATERAL" in ids(check("serratus_anterior", side="left", other_insertions=(mixed,)))


def test_same_side_or_non_thoracic_is_not_bilateral() -> None:
    same = PlannedInsertion(muscle_id="infraspinatus", side="left", needle_length_mm=30, handling="bracketing")
    assert "GR-THORAX-BILATERAL" not in ids(check("rhomboids", side="left", other_insertions=(same,)))
    legs = PlannedInsertion(muscle_id="gluteus_medius", side="right", needle_length_mm=50)
    assert "GR-THORAX-BILATERAL" not in ids(check("rhomboids", side="left", other_insertions=(legs,)))


def test_rhomboid_needle_longer_than_documented_depth_warns() -> None:
    long_needle = check("rhomboids", length=25)
    assert "GR-THORAX-DEPTH-MUSCLE" in ids(long_needle, "warn")
    message = next(g.message for g in long_needle if g.rule_id == "GR-THORAX-DEPTH-MUSCLE")
    assert "19" in message and "25" in message
    assert "GR-THORAX-DEPTH-MUSCLE" not in ids(check("rhomboids", length=15))


def test_needle_that_can_reach_lung_warns() -> None:
    assert "GR-THORAX-DEPTH-GENERAL" in ids(check("upper_trapezius", length=40, handling="pincer"), "warn")
    assert "GR-THORAX-DEPTH-GENERAL" not in ids(check("upper_trapezius", length=25, handling="pincer"))
    assert "GR-THORAX-DEPTH-GENERAL" not in ids(check("gluteus_medius", length=60, handling=None))


def test_thoracic_handling() -> None:
    assert "GR-THORAX-HANDLING" in ids(check("rhomboids", handling="flat_palpation"), "block")
    assert "GR-THORAX-HANDLING-MISSING" in ids(check("rhomboids", handling=None), "warn")
    assert not ids(check("upper_trapezius", handling="pincer", length=25), "block")
    assert "GR-THORAX-HANDLING" not in ids(check("scalenes", handling="flat_palpation"))


def test_kidney_zone_warning_beyond_2_5_cm() -> None:
    assert "GR-KIDNEY-ZONE" in ids(check("lumbar_multifidus", length=25, handling=None, distance=3.0), "warn")
    assert "GR-KIDNEY-ZONE" not in ids(check("lumbar_multifidus", length=25, handling=None, distance=2.0))
    assert "GR-KIDNEY-DISTANCE-UNKNOWN" in ids(check("quadratus_lumborum", length=60, handling=None))
    assert not ids(check("gluteus_maximus", length=50, handling=None, distance=8.0)) & {"GR-KIDNEY-ZONE"}


def test_pregnancy_sites_are_blocked() -> None:
    assert "GR-PREGNANCY-SITE" in ids(check("abdominal_wall", pregnant_trimester=2), "block")
    assert "GR-PREGNANCY-SITE" in ids(check("lumbar_multifidus", distance=1.5, pregnant_trimester=3), "block")
    assert "GR-PREGNANCY-T1" in ids(check("deltoid", length=25, handling=None, pregnant_trimester=1), "block")
    assert not is_blocked(check("deltoid", length=25, handling=None, pregnant_trimester=2))


def test_lymphoedema_limb_is_blocked() -> None:
    result = check(
        "extensor_carpi_radialis_brevis", side="left", length=25, handling=None, lymphoedema_limbs=("left_arm",)
    )
    assert "GR-LYMPHOEDEMA-LIMB" in ids(result, "block")
    assert "left arm" in next(g.message for g in result if g.rule_id == "GR-LYMPHOEDEMA-LIMB")
    other_side = check(
        "extensor_carpi_radialis_brevis", side="right", length=25, handling=None, lymphoedema_limbs=("left_arm",)
    )
    assert not is_blocked(other_side)
    girdle = check("pectoralis_major", side="left", length=25, handling="pincer", lymphoedema_limbs=("left_arm",))
    assert "GR-LYMPHOEDEMA-GIRDLE" in ids(girdle, "warn")
    assert "GR-LYMPHOEDEMA-LIMB" in ids(
        check("soleus", side="right", length=40, handling=None, lymphoedema_limbs=("right_leg",)), "block"
    )


def test_risk_factors_and_notes() -> None:
    assert "GR-THORAX-LOW-BMI" in ids(check("rhomboids", bmi=17.0))
    assert "GR-THORAX-LOW-BMI" not in ids(check("rhomboids", bmi=24.0))
    assert "GR-THORAX-MALE" in ids(check("rhomboids", sex="male"))
    assert "GR-SPINE-SUBOCCIPITAL" in ids(check("suboccipitals", length=25, handling=None))
    assert "GR-NEEDLE-LENGTH" in ids(check("deltoid", length=60, handling=None))


def test_every_guardrail_names_its_source(kb: Knowledge) -> None:
    other = PlannedInsertion(muscle_id="rhomboids", side="right", needle_length_mm=40)
    result = check(
        "rhomboids",
        side="left",
        length=40,
        handling="flat_palpation",
        bmi=16.0,
        sex="male",
        pregnant_trimester=1,
        other_insertions=(other,),
    )
    assert len(result) >= 5
    for g in result:
        assert g.sources and all(s in kb.sources for s in g.sources) and g.citations
        assert "{" not in g.message


def test_bad_plans_are_rejected() -> None:
    with pytest.raises(ValueError):
        check("biceps")
    with pytest.raises(ValueError):
        PlannedInsertion(muscle_id="deltoid", side="up", needle_length_mm=25)
    with pytest.raises(ValueError):
        PlannedInsertion(muscle_id="deltoid", side="left", needle_length_mm=0)
    with pytest.raises(ValueError):
        InsertionContext(pregnant_trimester=4)
