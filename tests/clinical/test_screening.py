"""Screening examples and answer parsing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dryneedling.clinical.intake import CHOICE_LABELS, KINDS, QUESTIONS, QUESTIONS_BY_KEY
from dryneedling.clinical.knowledge import Knowledge
from dryneedling.clinical.screening import (
    DECISION_LABELS,
    DECISIONS,
    AnswerError,
    ScreeningDecision,
    parse_answers,
    screen,
)

from .helpers import base_answers


def run(**overrides: Any) -> ScreeningDecision:
    return screen(parse_answers(base_answers(**overrides)))


def test_clean_intake_is_suitable(kb: Knowledge) -> None:
    d = run(tried_stretching=True)
    assert d.decision == "suitable" and not d.refer_to_physician
    assert all(r.severity == "info" for r in d.reasons)
    assert d.knowledge_version == kb.version
    assert "SCR-NOTE-TRIED-STRETCHING" in d.rule_ids


def test_anticoagulants_are_a_precaution_not_a_block() -> None:
    d = run(anticoagulants=True)
    assert d.decision == "suitable_with_precautions"
    assert "SCR-PRE-ANTITHROMBOTICS" in d.rule_ids
    reason = next(r for r in d.reasons if r.rule_id == "SCR-PRE-ANTITHROMBOTICS")
    assert "hindawi_2022" in reason.sources and reason.citations
    assert d.precautions_required and not d.blocked_sites


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("needle_phobia", "SCR-ABS-NEEDLE-PHOBIA"),
        ("unwilling", "SCR-ABS-UNWILLING"),
        ("unable_to_consent", "SCR-ABS-CONSENT"),
        ("cannot_communicate", "SCR-ABS-COMMUNICATION"),
        ("acute_illness", "SCR-ABS-ACUTE"),
        ("systemic_infection", "SCR-ABS-SYSTEMIC-INFECTION"),
    ],
)
def test_absolute_contraindications_block(key: str, rule: str) -> None:
    d = run(**{key: True})
    assert d.decision == "not_suitable_now"
    assert rule in d.rule_ids
    assert d.reasons[0].severity == "block"


def test_lymphoedema_limb_is_blocked_at_that_site() -> None:
    d = run(lymphoedema_limbs=["left_arm"])
    assert d.decision == "not_suitable_at_some_sites"
    assert d.blocked_sites == ("left_arm",)
    regions = d.blocked_region_ids()
    assert "front.forearm.left" in regions and "back.hand.left" in regions
    assert not any(r.endswith(".right") for r in regions)
    assert "Left arm" in next(r.text for r in d.reasons if r.rule_id == "SCR-SITE-LYMPHOEDEMA")


def test_local_infection_blocks_site() -> None:
    d = run(infection_sites=["lower_back"], anticoagulants=True)
    assert d.decision == "not_suitable_at_some_sites"
    assert d.blocked_sites == ("lower_back",)


@pytest.mark.parametrize(
    "flag",
    [
        "unexplained_weight_loss",
        "night_pain",
        "fever",
        "bowel_bladder_change",
        "saddle_anaesthesia",
        "progressive_neuro_deficit",
    ],
)
def test_red_flags_refer_to_physician(flag: str) -> None:
    d = run(**{flag: True})
    assert d.refer_to_physician
    assert d.decision == "not_suitable_now"
    assert d.reasons[0].severity == "refer"


def test_pregnancy_by_trimester() -> None:
    first = run(pregnancy="first_trimester")
    assert first.decision == "not_suitable_now"
    possible = run(pregnancy="possibly_pregnant")
    assert possible.decision == "not_suitable_now"
    second = run(pregnancy="second_trimester")
    assert second.decision == "not_suitable_at_some_sites"
    assert {"abdomen", "lower_back", "first_web_space"} <= set(second.blocked_sites)
    assert "SCR-PRE-PREGNANCY-LATER" in second.rule_ids


def test_children_need_guardian_consent() -> None:
    assert run(age=12).decision == "not_suitable_now"
    assert run(age=12, guardian_consent=False).decision == "not_suitable_now"
    with_consent = run(age=12, guardian_consent=True)
    assert with_consent.decision == "suitable_with_precautions"
    assert "SCR-PRE-CHILD" in with_consent.rule_ids
    # The default age of consent is 18 (clinic setting), not a single country's 16.
    assert run(age=16).decision == "not_suitable_now"
    assert run(age=18).decision == "suitable"


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"bleeding_disorder": True}, "SCR-PRE-BLEEDING"),
        ({"immunocompromised": True}, "SCR-PRE-IMMUNE"),
        ({"diabetes": True}, "SCR-PRE-DIABETES"),
        ({"epilepsy": True}, "SCR-PRE-EPILEPSY"),
        ({"metal_allergy": True}, "SCR-PRE-METAL-ALLERGY"),
        ({"vascular_disease": True}, "SCR-PRE-VASCULAR"),
        ({"implants": ["breast"]}, "SCR-PRE-IMPLANT-CHEST"),
        ({"implants": ["pacemaker_or_stimulator"]}, "SCR-PRE-PACEMAKER"),
        ({"recent_surgery_sites": ["right_knee"]}, "SCR-PRE-RECENT-SURGERY"),
        ({"varicose_vein_sites": ["left_calf"]}, "SCR-PRE-VARICOSE"),
        ({"lung_risk_history": ["emphysema"]}, "SCR-PRE-CHEST-HISTORY"),
    ],
)
def test_precautions(overrides: dict[str, Any], rule: str) -> None:
    d = run(**overrides)
    assert d.decision == "suitable_with_precautions"
    assert rule in d.rule_ids


def test_conservative_care_is_recorded_not_blocking() -> None:
    none_tried = run(tried_stretching=False, tried_massage=False, tried_heat=False)
    assert none_tried.decision == "suitable"
    note = next(r for r in none_tried.reasons if r.rule_id == "SCR-NOTE-CONSERVATIVE-NOT-TRIED")
    assert "stretching" in note.text.lower() and note.severity == "info" and note.sources == ("source_article",)
    assert "SCR-NOTE-CONSERVATIVE-UNKNOWN" in run().rule_ids


def test_to_dict_is_json_ready(kb: Knowledge) -> None:
    d = run(anticoagulants=True, lymphoedema_limbs=["right_leg"])
    data = json.loads(json.dumps(d.to_dict()))
    assert data["decision"] == "not_suitable_at_some_sites" and data["label"] == "Not suitable at some sites"
    assert data["rule_ids"] == list(d.rule_ids)
    assert data["knowledge_version"] == kb.version
    for reason in data["reasons"]:
        assert reason["sources"] and all(s in kb.sources for s in reason["sources"])


def test_decision_labels_cover_all_decisions() -> None:
    assert set(DECISION_LABELS) == set(DECISIONS)


def test_questions_are_well_formed() -> None:
    assert len(QUESTIONS_BY_KEY) == len(QUESTIONS)
    for q in QUESTIONS:
        assert q.kind in KINDS and q.label
        assert bool(q.choices) == (q.kind in ("choice", "multichoice")), q.key
        assert all(c in CHOICE_LABELS for c in q.choices), q.key
    for key in (
        "age",
        "pregnancy",
        "lymphoedema_limbs",
        "anticoagulants",
        "tried_stretching",
        "tried_massage",
        "tried_heat",
        "saddle_anaesthesia",
    ):
        assert key in QUESTIONS_BY_KEY


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ([], "JSON object"),
        ({**base_answers(), "colour": "blue"}, "unknown answer key 'colour'"),
        ({**base_answers(), "anticoagulants": "yes"}, "'anticoagulants' must be true or false"),
        ({**base_answers(), "age": True}, "'age' must be a whole number"),
        ({**base_answers(), "age": 300}, "'age' must be between"),
        ({**base_answers(), "pregnancy": "fourth_trimester"}, "'pregnancy' must be one of"),
        ({**base_answers(), "lymphoedema_limbs": "left_arm"}, "must be a list"),
        ({**base_answers(), "lymphoedema_limbs": ["tail"]}, "unknown item 'tail'"),
        ({k: v for k, v in base_answers().items() if k != "needle_phobia"}, "missing required answer 'needle_phobia'"),
    ],
)
def test_parse_answers_rejects_bad_input(raw: Any, fragment: str) -> None:
    with pytest.raises(AnswerError) as info:
        parse_answers(raw)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)
