"""The safety engine (issue 8): each hole has a test that failed before the fix."""

from __future__ import annotations

import pytest

from dryneedling.clinical.education import CONSENT_VERSION
from dryneedling.clinical.knowledge import Knowledge
from dryneedling.clinical.referral import trigger_point_markers

from .safety_plans import ids, insertion, plan, run, without


# -- consent items are enforced -----------------------------------------------------------------------
@pytest.mark.parametrize("muscle", ["upper_trapezius", "pectoralis_major", "rhomboids", "scalenes", "suboccipitals"])
def test_declined_chest_wall_and_neck_blocks_every_muscle_it_covers(muscle: str) -> None:
    verdict = run(plan(insertion(muscle, handling="pincer"), consent=without("chest_wall_neck")))
    assert verdict.level == "block"
    assert "GR-CONSENT-DECLINED" in ids(verdict, "block")
    assert "did not agree to needling over the chest wall and neck" in " ".join(g.message for g in verdict.reasons)


def test_declined_chest_wall_item_leaves_other_muscles_alone() -> None:
    verdict = run(plan(insertion("gastrocnemius", length=40), consent=without("chest_wall_neck")))
    assert "GR-CONSENT-DECLINED" not in ids(verdict)


def test_missing_consent_blocks_everything() -> None:
    raw = plan(insertion("gastrocnemius", length=40))
    del raw["consent"]
    assert ids(run(raw), "block") == {"GR-CONSENT-MISSING"}


def test_consent_of_another_version_blocks() -> None:
    verdict = run(plan(insertion("gastrocnemius", length=40), consent={"version": "2026.11-1", "items": []}))
    assert ids(verdict, "block") == {"GR-CONSENT-OUTDATED"}
    assert CONSENT_VERSION in verdict.reasons[0].message


def test_consent_lacking_a_required_item_blocks() -> None:
    verdict = run(plan(insertion("gastrocnemius", length=40), consent=without("rare_risks")))
    assert "GR-CONSENT-INCOMPLETE" in ids(verdict, "block")


def test_full_consent_and_nothing_known_allows_a_calf_insertion() -> None:
    verdict = run(plan(insertion("gastrocnemius", length=40)))
    assert verdict.level in ("allowed", "warn") and not ids(verdict, "block")


# -- midline loophole ---------------------------------------------------------------------------------
def test_paired_muscle_recorded_midline_is_blocked() -> None:
    verdict = run(plan(insertion("rhomboids", side="midline", length=13, handling="bracketing")))
    assert "GR-MIDLINE-PAIRED" in ids(verdict, "block")


def test_midline_does_not_skip_the_both_sides_of_the_thorax_block() -> None:
    other = insertion("rhomboids", side="right", length=13, handling="bracketing")
    verdict = run(plan(insertion("rhomboids", side="midline", length=13), session={"insertions": [other]}))
    assert "GR-THORAX-BILATERAL" in ids(verdict, "block")
    recorded_midline = insertion("middle_lower_trapezius", side="midline", length=13, handling="pincer")
    verdict = run(plan(insertion("rhomboids", side="left", length=13), session={"insertions": [recorded_midline]}))
    assert "GR-THORAX-BILATERAL" in ids(verdict, "block")


def test_unpaired_muscle_may_be_midline(kb: Knowledge) -> None:
    assert not [m.id for m in kb.muscles.values() if m.midline]  # none of today's muscles is unpaired


# -- electrical dry needling --------------------------------------------------------------------------
def _electrical(muscle: str, side: str = "right", **parts: object) -> set[str]:
    return ids(run(plan(insertion(muscle, side=side, length=40, electrical=True), **parts)))


def test_electrical_with_a_pacemaker_is_blocked() -> None:
    assert "GR-ELECTRICAL-IMPLANT" in _electrical(
        "gastrocnemius", screening={"answers": {"implants": ["pacemaker_or_stimulator"]}}
    )
    assert "GR-ELECTRICAL-IMPLANT" not in _electrical("gastrocnemius", screening={"answers": {"implants": ["breast"]}})


@pytest.mark.parametrize(
    ("planned", "partner"),
    [
        (("rhomboids", "left"), ("rhomboids", "right")),  # both sides of the chest
        (("pectoralis_major", "right"), ("rhomboids", "right")),  # chest wall + back
        (("pectoralis_major", "left"), ("pectoralis_major", "right")),
        (("rhomboids", "midline"), ("infraspinatus", "right")),  # midline counts as both sides
    ],
)
def test_electrical_lead_pair_across_the_thorax_is_blocked(planned: tuple[str, str], partner: tuple[str, str]) -> None:
    other = insertion(partner[0], side=partner[1], length=30, electrical=True, handling="pincer")
    ins = insertion(planned[0], side=planned[1], length=30, paired_with=0, handling="pincer")
    assert "GR-ELECTRICAL-THORAX" in ids(run(plan(ins, session={"insertions": [other]})), "block")


def test_electrical_pair_within_one_region_is_not_a_thorax_block() -> None:
    other = insertion("soleus", side="left", length=40, electrical=True)
    verdict = run(
        plan(insertion("gastrocnemius", side="left", length=40, paired_with=0), session={"insertions": [other]})
    )
    assert not ids(verdict, "block")


def test_electrical_over_abdomen_or_low_back_in_pregnancy_is_blocked() -> None:
    pregnant = {"patient": {"sex": "female", "pregnancy_weeks": 20}}
    assert "GR-ELECTRICAL-PREGNANCY-TRUNK" in _electrical("lumbar_multifidus", **pregnant)
    assert "GR-ELECTRICAL-PREGNANCY-TRUNK" not in _electrical("gastrocnemius", **pregnant)
    assert "GR-ELECTRICAL-PREGNANCY" in _electrical("gastrocnemius", **pregnant)


@pytest.mark.parametrize("key", ["lymphoedema_limbs", "at_risk_limbs"])
def test_electrical_over_a_lymphoedema_or_at_risk_limb_is_blocked(key: str, kb: Knowledge) -> None:
    answers = {"answers": {key: ["left_arm"]}}
    assert "GR-ELECTRICAL-LIMB" in _electrical("extensor_digitorum", side="left", screening=answers)
    assert "GR-ELECTRICAL-LIMB" not in _electrical("extensor_digitorum", side="right", screening=answers)


def test_electrical_with_epilepsy_warns() -> None:
    verdict = run(
        plan(insertion("gastrocnemius", length=40, electrical=True), screening={"answers": {"epilepsy": True}})
    )
    assert "GR-ELECTRICAL-EPILEPSY" in ids(verdict, "warn") and verdict.level == "warn"


def test_electrical_needs_its_own_consent_item() -> None:
    assert "GR-CONSENT-DECLINED" in _electrical("gastrocnemius", consent=without("electrical"))
    assert "GR-CONSENT-DECLINED" not in ids(
        run(plan(insertion("gastrocnemius", length=40), consent=without("electrical")))
    )


def test_electrical_without_parameters_is_blocked_by_the_legacy_api() -> None:
    from dryneedling.clinical.safety import InsertionContext, PlannedInsertion, check_insertion

    planned = PlannedInsertion(muscle_id="gastrocnemius", side="left", needle_length_mm=40, technique="electrical")
    found = check_insertion(planned=planned, context=InsertionContext())
    assert "GR-ELECTRICAL-UNRECORDED" in {g.rule_id for g in found if g.level == "block"}


# -- anticoagulants at the needle ---------------------------------------------------------------------
def test_antithrombotics_warn_at_deep_non_compressible_sites() -> None:
    answers = {"anticoagulants": True}
    verdict = run(plan(insertion("iliopsoas", length=75, distance_from_midline_cm=2), screening={"answers": answers}))
    assert "GR-ANTITHROMBOTIC-DEEP" in ids(verdict, "warn")
    assert "GR-ANTITHROMBOTIC-DEEP" not in ids(run(plan(insertion("iliopsoas", length=75, distance_from_midline_cm=2))))
    calf = run(plan(insertion("gastrocnemius", length=40), screening={"answers": answers}))
    assert "GR-ANTITHROMBOTIC-DEEP" not in ids(calf)
    bleeding = run(plan(insertion("piriformis", length=75), screening={"answers": {"bleeding_disorder": True}}))
    assert "GR-ANTITHROMBOTIC-DEEP" in ids(bleeding, "warn")


def test_antithrombotic_warning_names_drug_inr_and_platelets_when_known() -> None:
    from dryneedling.clinical.intake import QUESTIONS_BY_KEY

    answers: dict[str, object] = {"anticoagulants": True}
    for key, value in (("anticoagulant_drug", "warfarin"), ("inr", 2.8), ("platelet_count", 140)):
        if key in QUESTIONS_BY_KEY:
            answers[key] = value if QUESTIONS_BY_KEY[key].kind != "int" else int(value)  # type: ignore[call-overload]
    verdict = run(plan(insertion("gluteus_minimus", length=75), screening={"answers": answers}))
    message = next(g.message for g in verdict.reasons if g.rule_id == "GR-ANTITHROMBOTIC-DEEP")
    assert "anticoagulant" in message
    if "anticoagulant_drug" in answers:
        assert "warfarin" in message


# -- body mass and target depth -----------------------------------------------------------------------
def test_bmi_from_height_and_weight_feeds_the_low_bmi_lung_warning() -> None:
    thin = {"patient": {"sex": "female", "height_cm": 170, "weight_kg": 48}}
    verdict = run(plan(insertion("rhomboids", length=13, handling="bracketing"), **thin))
    assert "GR-THORAX-LOW-BMI" in ids(verdict, "warn")
    assert any("16.6" in g.message for g in verdict.reasons if g.rule_id == "GR-THORAX-LOW-BMI")
    normal = {"patient": {"sex": "female", "height_cm": 170, "weight_kg": 65}}
    assert "GR-THORAX-LOW-BMI" not in ids(run(plan(insertion("rhomboids", length=13, handling="bracketing"), **normal)))


def test_target_depth_over_the_thorax_warns_even_with_a_short_needle() -> None:
    deep = run(plan(insertion("rhomboids", length=25, target_depth_mm=22, handling="bracketing")))
    assert "GR-THORAX-TARGET-DEPTH" in ids(deep, "warn")
    shallow = run(plan(insertion("rhomboids", length=25, target_depth_mm=12, handling="bracketing")))
    assert "GR-THORAX-TARGET-DEPTH" not in ids(shallow)
    general = run(plan(insertion("upper_trapezius", length=40, target_depth_mm=35, handling="pincer")))
    assert "GR-THORAX-TARGET-DEPTH" in ids(general, "warn")


# -- screening site blocks keep their rule ids and sources ----------------------------------------------
def test_screened_site_block_carries_the_screening_rule_and_its_sources(kb: Knowledge) -> None:
    verdict = run(
        plan(insertion("pectoralis_major", handling="pincer"), screening={"answers": {"infection_sites": ["chest"]}})
    )
    blocks = [g for g in verdict.reasons if g.level == "block"]
    rule = next(r for r in kb.screening_rules if r.id == "SCR-SITE-INFECTION")
    hit = next(g for g in blocks if g.rule_id == "SCR-SITE-INFECTION")
    assert set(rule.sources) <= set(hit.sources) and hit.citations


def test_screened_site_block_uses_the_charted_location() -> None:
    chest = trigger_point_markers(muscle_id="pectoralis_major", side="right")[0]
    inside = {"view": chest["view"], "x": chest["x"], "y": chest["y"]}
    answers = {"answers": {"infection_sites": ["chest"]}}
    verdict = run(plan(insertion("pectoralis_major", handling="pincer", location=inside), screening=answers))
    assert "SCR-SITE-INFECTION" in ids(verdict, "block")
    calf = {"view": "back", "x": 125.0, "y": 370.0}  # the right calf on the back view: not the chest
    elsewhere = run(plan(insertion("gastrocnemius", length=40, location=calf), screening=answers))
    assert "SCR-SITE-INFECTION" not in ids(elsewhere)


def test_screening_not_now_blocks_with_its_rule_id() -> None:
    verdict = run(plan(insertion("gastrocnemius", length=40), screening={"answers": {"unwilling": True}}))
    assert "SCR-ABS-UNWILLING" in ids(verdict, "block")


def test_every_reason_has_a_rule_id_and_known_sources(kb: Knowledge) -> None:
    other = insertion("rhomboids", side="right", length=13, electrical=True)
    raw = plan(
        insertion("rhomboids", side="midline", length=30, target_depth_mm=25, paired_with=0),
        patient={"sex": "male", "height_cm": 180, "weight_kg": 55},
        screening={"answers": {"anticoagulants": True, "epilepsy": True, "infection_sites": ["upper_back"]}},
        consent=without("chest_wall_neck", "electrical"),
        session={"insertions": [other]},
        clinician={"profession": "physical_therapist", "training_hours": 0, "jurisdiction": "us_ca"},
    )
    verdict = run(raw)
    assert len(verdict.reasons) >= 8
    for g in verdict.reasons:
        assert g.rule_id and g.sources and all(s in kb.sources for s in g.sources), g


def test_screening_emergency_blocks_needling() -> None:
    verdict = run(
        plan(insertion("gastrocnemius", length=40), screening={"answers": {"chest_pain_or_breathless": True}})
    )
    assert verdict.level == "block" and any(g.rule_id.startswith("SCR-") for g in verdict.reasons if g.level == "block")
