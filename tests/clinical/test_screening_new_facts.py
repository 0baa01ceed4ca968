"""Issue 8 "Intake": each new fact a clinician records changes the decision as its rule says."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dryneedling.clinical.knowledge import Knowledge
from dryneedling.clinical.screening import ScreeningContext, ScreeningDecision, parse_answers, screen

from .helpers import base_answers


def run(context: ScreeningContext | None = None, **overrides: Any) -> ScreeningDecision:
    return screen(parse_answers(base_answers(**overrides)), context=context)


def reason(decision: ScreeningDecision, rule_id: str) -> Any:
    return next(r for r in decision.reasons if r.rule_id == rule_id)


def test_chest_pain_now_is_an_emergency_shown_first_not_a_referral() -> None:
    d = run(chest_pain_or_breathless=True, anticoagulants=True, night_pain=True)
    assert d.emergency and d.decision == "not_suitable_now"
    assert d.reasons[0].rule_id == "SCR-EMERGENCY-CHEST" and d.reasons[0].severity == "emergency"
    assert "call emergency services now" in d.reasons[0].text.lower()
    data = json.loads(json.dumps(d.to_dict()))
    assert data["emergency"] is True
    assert run().emergency is False and run().to_dict()["emergency"] is False
    # Without another red flag it is an emergency, not a referral.
    assert not run(chest_pain_or_breathless=True).refer_to_physician


def test_cancer_history_is_a_red_flag() -> None:
    d = run(cancer_history=True)
    assert d.refer_to_physician and "SCR-RF-CANCER" in d.rule_ids


def test_fever_with_the_complaint_refers_but_a_cold_only_waits() -> None:
    red_flag = run(fever=True)
    assert red_flag.refer_to_physician and "SCR-RF-FEVER" in red_flag.rule_ids
    cold = run(fever_acute_illness=True)
    assert cold.decision == "not_suitable_now" and not cold.refer_to_physician
    assert "SCR-ABS-FEVER-ACUTE-ILLNESS" in cold.rule_ids


@pytest.mark.parametrize(
    ("overrides", "decision", "rule"),
    [
        (
            {"anticoagulants": True, "anticoagulant_drug": "warfarin 5 mg", "inr": 2.4},
            "suitable_with_precautions",
            None,
        ),
        ({"anticoagulants": True, "inr": 3.6}, "not_suitable_now", "SCR-ABS-INR-HIGH"),
        ({"bleeding_disorder": True, "platelet_count": 30}, "not_suitable_now", "SCR-ABS-PLATELETS-LOW"),
        ({"bleeding_disorder": True, "platelet_count": 180}, "suitable_with_precautions", None),
    ],
)
def test_inr_and_platelets(overrides: dict[str, Any], decision: str, rule: str | None) -> None:
    d = run(**overrides)
    assert d.decision == decision
    if rule:
        r = reason(d, rule)
        assert r.evidence == "M" and "hindawi_2022" in r.sources


def test_inr_is_a_decimal_within_range() -> None:
    assert parse_answers(base_answers(anticoagulants=True, inr=2.4)).get("inr") == 2.4
    assert parse_answers(base_answers(anticoagulants=True, inr=3)).get("inr") == 3.0
    with pytest.raises(ValueError, match="'inr' must be between 0.5 and 15"):
        parse_answers(base_answers(inr=40))
    with pytest.raises(ValueError, match="'inr' must be a number"):
        parse_answers(base_answers(inr="2.4"))


def test_uncontrolled_epilepsy_waits_controlled_is_a_precaution() -> None:
    assert run(epilepsy=True, epilepsy_controlled=False).decision == "not_suitable_now"
    controlled = run(epilepsy=True, epilepsy_controlled=True)
    assert controlled.decision == "suitable_with_precautions" and "SCR-PRE-EPILEPSY" in controlled.rule_ids


def test_neuropathy_is_a_precaution_at_the_feet() -> None:
    d = run(peripheral_neuropathy=True)
    assert d.decision == "suitable_with_precautions"
    assert set(d.caution_sites) == {"right_foot", "left_foot"}


def test_at_risk_limb_is_a_precaution_on_that_limb() -> None:
    d = run(at_risk_limbs=["right_arm"])
    assert d.decision == "suitable_with_precautions" and d.caution_sites == ("right_arm",)
    assert not d.blocked_sites


def test_capsule_opened_blocks_the_operated_site_otherwise_a_precaution() -> None:
    opened = run(recent_surgery_sites=["left_knee"], recent_surgery_date="2025-01-10", joint_capsule_opened=True)
    assert opened.decision == "not_suitable_at_some_sites" and opened.blocked_sites == ("left_knee",)
    assert reason(opened, "SCR-SITE-JOINT-CAPSULE").sources == ("apta_2013_table",)
    assert "SCR-PRE-RECENT-SURGERY" not in opened.rule_ids
    closed = run(recent_surgery_sites=["left_knee"], joint_capsule_opened=False)
    assert closed.decision == "suitable_with_precautions" and closed.caution_sites == ("left_knee",)


def test_substitute_decision_maker_turns_no_consent_into_a_precaution() -> None:
    assert run(unable_to_consent=True).decision == "not_suitable_now"
    assert run(unable_to_consent=True, substitute_decision_maker="   ").decision == "not_suitable_now"
    d = run(unable_to_consent=True, substitute_decision_maker="Ann Reed, daughter (enduring power of attorney)")
    assert d.decision == "suitable_with_precautions"
    r = reason(d, "SCR-PRE-SUBSTITUTE-CONSENT")
    assert r.evidence == "M" and "substitute decision-maker" in r.text


@pytest.mark.parametrize(
    ("key", "rule"), [("latex_allergy", "SCR-PRE-LATEX"), ("psychological_state", "SCR-PRE-PSYCHOLOGICAL")]
)
def test_allergy_and_psychological_state_are_precautions(key: str, rule: str, kb: Knowledge) -> None:
    d = run(**{key: True})
    assert d.decision == "suitable_with_precautions" and rule in d.rule_ids
    assert reason(d, rule).contraindication in kb.contraindications


def test_cervical_arterial_screen_before_neck_needling() -> None:
    positive = run(treatment_regions=["head_neck"], cervical_arterial_screen="positive")
    assert positive.refer_to_physician and "head_neck" in positive.blocked_sites
    assert "ifompt_cervical_2023" in reason(positive, "SCR-SITE-CERVICAL-ARTERIAL").sources
    for unscreened in ({}, {"cervical_arterial_screen": "not_done"}):
        d = run(treatment_regions=["head_neck"], **unscreened)
        assert d.decision == "suitable_with_precautions" and "SCR-PRE-CERVICAL-NOT-SCREENED" in d.rule_ids
    assert run(treatment_regions=["head_neck"], cervical_arterial_screen="negative").decision == "suitable"
    assert "SCR-PRE-CERVICAL-NOT-SCREENED" not in run(treatment_regions=["lower_back"]).rule_ids


def test_acute_injury_is_recorded_with_days_since_onset() -> None:
    d = run(acute_injury=True, days_since_onset=2)
    assert "SCR-PRE-ACUTE-INJURY" in d.rule_ids
    assert parse_answers(base_answers(acute_injury=True, days_since_onset=2)).get("days_since_onset") == 2


def test_pacemaker_label_names_icd() -> None:
    from dryneedling.clinical.intake import choice_label

    assert choice_label("pacemaker_or_stimulator") == "Pacemaker, ICD or implanted stimulator"


@pytest.mark.parametrize(("age", "setting", "decision"), [(16, 16, "suitable"), (16, 18, "not_suitable_now")])
def test_age_of_consent_comes_from_the_clinic_setting(age: int, setting: int, decision: str) -> None:
    d = run(ScreeningContext(age_of_consent=setting), age=age)
    assert d.decision == decision
    if decision != "suitable":
        r = reason(d, "SCR-ABS-CHILD-CONSENT")
        assert f"({setting} in this clinic)" in r.text and "parent, guardian or substitute" in r.text
