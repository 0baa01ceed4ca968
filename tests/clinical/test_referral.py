"""Referral lookup from body-chart pain regions, and condition -> muscles."""

from __future__ import annotations

import pytest

from dryneedling.clinical.referral import (
    muscles_for_condition,
    muscles_for_pain_regions,
    referral_highlights,
    trigger_point_markers,
)


def test_primary_matches_rank_before_spillover() -> None:
    matches = muscles_for_pain_regions(region_ids=["back.foot.heel.left"])
    ranked = [m.muscle_id for m in matches]
    primary = [m for m in matches if m.primary_regions]
    spill = [m for m in matches if not m.primary_regions]
    assert {"soleus", "quadratus_plantae", "abductor_hallucis"} <= {m.muscle_id for m in primary}
    # flexor digitorum brevis refers over the metatarsal heads (T&S); the heel is its spillover
    assert "flexor_digitorum_brevis" in {m.muscle_id for m in spill}
    assert primary and matches[: len(primary)] == primary and spill == matches[len(primary) :]
    assert all(m.sides == ("left",) for m in matches)
    assert ranked.index("soleus") < len(primary)


def test_neck_and_temple_point_to_upper_trapezius() -> None:
    matches = muscles_for_pain_regions(region_ids=["back.neck.right", "front.head.temple.right"])
    top = matches[0]
    assert top.muscle_id == "upper_trapezius"
    assert set(top.primary_regions) == {"back.neck.right", "front.head.temple.right"}
    assert top.sides == ("right",)
    assert "primary referral zone" in top.reason and "[V]" in top.reason
    assert top.coverage == 1.0


def test_spillover_only_is_explained() -> None:
    matches = muscles_for_pain_regions(region_ids=["back.elbow.right"])
    ids = [m.muscle_id for m in matches]
    assert ids.index("extensor_carpi_radialis_longus") < ids.index("supraspinatus")
    supra = next(m for m in matches if m.muscle_id == "supraspinatus")
    assert not supra.primary_regions and supra.spillover_regions == ("back.elbow.right",)
    assert "spill-over" in supra.reason


def test_midline_region_matches_without_side() -> None:
    matches = muscles_for_pain_regions(region_ids=["back.head.vertex"])
    splenius = next(m for m in matches if m.muscle_id == "splenius_capitis")
    assert splenius.primary_regions == ("back.head.vertex",) and splenius.sides == ()


def test_bad_regions() -> None:
    assert muscles_for_pain_regions(region_ids=[]) == []
    with pytest.raises(ValueError):
        muscles_for_pain_regions(region_ids=["back.tail"])


def test_muscles_for_condition() -> None:
    muscles = [m.id for m in muscles_for_condition(condition_id="plantar_heel_pain")]
    assert muscles == ["gastrocnemius", "soleus", "quadratus_plantae", "abductor_hallucis", "flexor_digitorum_brevis"]
    with pytest.raises(KeyError):
        muscles_for_condition(condition_id="gout")


def test_highlights_and_markers_follow_the_side() -> None:
    right = referral_highlights(muscle_id="upper_trapezius", side="right")
    assert right["back.neck.right"] == "referral-primary"
    assert right["front.face.jaw.right"] == "referral-spillover"
    assert not any(r.endswith(".left") for r in right)
    left = trigger_point_markers(muscle_id="upper_trapezius", side="left")
    assert all(p["x"] < 100 for p in left)  # back view: patient's left is on the viewer's left
