"""Issue 11, knowledge-base corrections: the KB's own defaults pass the KB's own guardrails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dryneedling.clinical import bodychart
from dryneedling.clinical.knowledge import Knowledge, KnowledgeError, get_knowledge, load_knowledge
from dryneedling.clinical.model import Muscle

from .safety_plans import insertion, plan, run

# A muscle without a default needle: the KB gives no size, so none is offered.
NO_DEFAULT: dict[str, str] = {
    "iliopsoas": "no needle size found in the sources consulted [NF]; advanced, often ultrasound-guided",
    "rhomboids": "the KB gives a documented depth limit (about 19 mm) rather than a needle size",
}
# A default needle that still raises a needle-dependent warning, and why that is intended.
EXCEPTIONS: dict[str, dict[str, str]] = {
    "subscapularis": {
        "GR-THORAX-DEPTH-GENERAL": "the axillary approach needs 40 mm or more to reach the front of the scapula; "
        "the muscle lies against the rib cage, so the lung-reach warning is meant to be read every time",
    },
}


def typical_insertion(m: Muscle) -> dict[str, Any]:
    """The muscle's KB default needle, placed as its technique says: the first safe handling for a
    lung-risk muscle, within 2.5 cm of the midline for a kidney-risk muscle."""
    extra: dict[str, Any] = {"needle_diameter_mm": m.needle.default_diameter_mm}
    if m.safe_handling:
        extra["handling"] = m.safe_handling[0]
    if m.kidney_risk:
        extra["distance_from_midline_cm"] = 2.0
    return insertion(m.id, length=m.needle.default_length_mm, **extra)


def test_levator_scapulae_default_is_short_and_aimed_at_bone(kb: Knowledge) -> None:
    needle = kb.muscles["levator_scapulae"].needle
    assert needle.length_mm == (25, 40)
    assert needle.default_length_mm == 25
    assert "travell_simons" in needle.sources and "bone" in needle.technique
    verdict = run(plan(typical_insertion(kb.muscles["levator_scapulae"])))
    assert verdict.reasons == ()
    # the single case report's 50 mm needle still draws the lung warning
    long = run(plan(insertion("levator_scapulae", length=50, handling="pincer")))
    assert "GR-THORAX-DEPTH-GENERAL" in {g.rule_id for g in long.reasons}


def test_every_default_needle_passes_the_guardrails(kb: Knowledge) -> None:
    site_notes = {g.id for g in kb.guardrails.values() if g.kind == "muscle_note"}
    for m in kb.muscles.values():
        if m.id in NO_DEFAULT:
            assert m.needle.default_length_mm is None, m.id
            continue
        assert m.needle.default_length_mm is not None, m.id
        verdict = run(plan(typical_insertion(m)))
        raised = {g.rule_id for g in verdict.reasons} - site_notes
        assert raised == set(EXCEPTIONS.get(m.id, {})), (m.id, raised)
        assert all(g.level == "warn" for g in verdict.reasons), m.id


@pytest.mark.parametrize("muscle_id", sorted(EXCEPTIONS))
def test_exceptions_are_lung_risk_and_documented(kb: Knowledge, muscle_id: str) -> None:
    assert kb.muscles[muscle_id].lung_risk
    assert all(reason for reason in EXCEPTIONS[muscle_id].values())


def test_flexor_digitorum_brevis_refers_over_the_metatarsal_heads() -> None:
    fdb = get_knowledge().muscles["flexor_digitorum_brevis"]
    assert fdb.referral_primary == ("back.foot.plantar",)
    assert "back.foot.heel" not in fdb.referral_primary
    assert "metatarsals 2-4" in fdb.referral_text and "Travell & Simons" in fdb.referral_text
    assert fdb.referral_evidence == "M"


def test_infraspinatus_has_a_medial_trigger_point_referring_to_the_medial_border() -> None:
    infra = get_knowledge().muscles["infraspinatus"]
    medial = [tp for tp in infra.trigger_points if "medial" in tp.description.lower()]
    assert len(medial) == 1
    assert bodychart.region_at(medial[0].view, medial[0].x, medial[0].y) == "back.scapula.right"
    assert "back.scapula" in infra.referral_primary
    assert "medial border of the scapula" in infra.referral_text


NEW_THORAX = ("intercostals", "thoracic_paraspinals")
NEW_LIMB = ("triceps", "biceps_brachialis", "forearm_flexors", "hip_adductors", "tibialis_posterior", "popliteus")
NEW_MUSCLES = NEW_THORAX + NEW_LIMB + ("teres_major",)


@pytest.mark.parametrize("muscle_id", NEW_MUSCLES)
def test_new_muscles_are_complete_and_on_the_body_chart(kb: Knowledge, muscle_id: str) -> None:
    m = kb.muscles[muscle_id]
    assert m.hazards and m.sources and m.referral_text and m.needle.length_mm
    assert m.trigger_points
    for tp in m.trigger_points:
        rid = bodychart.region_at(tp.view, tp.x, tp.y)
        assert rid is not None and bodychart.side_of(rid) == "right", (muscle_id, rid)


@pytest.mark.parametrize("muscle_id", NEW_THORAX)
def test_thorax_muscles_are_lung_risk_in_the_guardrails(kb: Knowledge, muscle_id: str) -> None:
    m = kb.muscles[muscle_id]
    assert m.lung_risk and m.thorax is not None and m.safe_handling
    fired = {g.rule_id for g in run(plan(insertion(muscle_id, length=40))).reasons}
    assert {"GR-THORAX-HANDLING-MISSING", "GR-THORAX-DEPTH-GENERAL"} <= fired
    male = run(plan(insertion(muscle_id, handling=m.safe_handling[0]), patient={"age": 40, "sex": "male"}))
    assert "GR-THORAX-MALE" in {g.rule_id for g in male.reasons}
    both = plan(
        insertion(muscle_id, side="right", length=25, handling=m.safe_handling[0]),
        session={"insertions": [insertion("intercostals", side="left", length=13, handling="bracketing")]},
    )
    assert "GR-THORAX-BILATERAL" in {g.rule_id for g in run(both).reasons if g.level == "block"}
    pincer_not_allowed = run(plan(insertion("intercostals", length=13, handling="pincer")))
    assert "GR-THORAX-HANDLING" in {g.rule_id for g in pincer_not_allowed.reasons}


@pytest.mark.parametrize("muscle_id", NEW_LIMB + ("teres_major",))
def test_limb_muscles_warn_of_their_nerves_and_vessels(kb: Knowledge, muscle_id: str) -> None:
    assert not kb.muscles[muscle_id].lung_risk
    fired = {g.rule_id for g in run(plan(typical_insertion(kb.muscles[muscle_id]))).reasons}
    assert fired == {"GR-NEUROVASCULAR"}
    text = " ".join(kb.muscles[muscle_id].hazards).lower()
    assert "nerve" in text and ("artery" in text or "vein" in text)


def test_contraindication_class_agrees_with_its_screening_rules(kb: Knowledge) -> None:
    effects: dict[str, set[str]] = {}
    for rule in kb.screening_rules:
        if rule.contraindication:
            effects.setdefault(rule.contraindication, set()).add(rule.effect)
    for cid, found in effects.items():
        kind = kb.contraindications[cid].kind
        if kind == "site":
            assert "site_block" in found, (cid, found)
        if found == {"precaution"}:
            assert kind == "relative", (cid, kind)
    assert kb.contraindications["implants"].kind == "relative"
    assert kb.contraindications["recent_surgery"].kind == "relative"
    assert kb.contraindications["joint_capsule_surgery"].kind == "site"
    assert effects["joint_capsule_surgery"] == {"site_block"}


def test_sources_of_doubtful_standing_are_tagged_and_cited_as_such(kb: Knowledge) -> None:
    for sid in ("source_article", "news_journal_2012", "triggerpointbook"):
        assert kb.sources[sid].standing == "consumer", sid
    for sid in ("aberdeen_chiro_2018", "implants_relative_ictmjc", "pt_on_ice_pregnancy"):
        assert kb.sources[sid].standing == "practice_site", sid
    assert kb.sources["dn_course_screening_form"].standing == "course"
    assert kb.sources["travell_simons"].standing is None and kb.sources["bn121"].standing is None
    (cited,) = kb.cite(["source_article"])
    assert cited.endswith("[consumer site]")
    assert kb.cite(["bn121"]) == (kb.sources["bn121"].citation,)


def test_an_unknown_standing_is_refused(data_copy: Path) -> None:
    path = data_copy / "sources.yaml"
    path.write_text(path.read_text().replace("    standing: consumer\n", "    standing: blog\n", 1))
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(data_copy)
    assert "standing" in str(err.value) and "sources.yaml" in str(err.value)
