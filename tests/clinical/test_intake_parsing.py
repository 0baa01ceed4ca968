"""Parsing the new intake kinds, partial answers, pregnancy weeks, sex and prefill."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from dryneedling.clinical.intake import (
    QUESTIONS,
    QUESTIONS_BY_KEY,
    AnswerError,
    all_clear_answers,
    is_shown,
    parse_answers,
    prefill_answers,
)


def fails(raw: Any, fragment: str, **kwargs: Any) -> None:
    with pytest.raises(AnswerError) as info:
        parse_answers(raw, **kwargs)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_all_clear_answers_stay_complete_and_valid() -> None:
    answers = parse_answers(all_clear_answers())
    for q in QUESTIONS:
        if q.required:
            assert answers.get(q.key) is not None, q.key
    for key in ("cancer_history", "chest_pain_or_breathless", "fever_acute_illness"):
        assert QUESTIONS_BY_KEY[key].required and all_clear_answers()[key] is False


def test_partial_accepts_missing_required_but_not_bad_input() -> None:
    answers = parse_answers({"anticoagulants": True, "inr": 2.5}, partial=True)
    assert answers.get("needle_phobia") is None and answers.get("inr") == 2.5
    fails({"colour": "blue"}, "unknown answer key 'colour'", partial=True)
    fails({"anticoagulants": "yes"}, "'anticoagulants' must be true or false", partial=True)
    fails({}, "missing required answer 'unwilling'")


@pytest.mark.parametrize(
    ("pregnancy", "weeks", "ok"),
    [
        ("first_trimester", 10, True),
        ("second_trimester", 14, True),
        ("third_trimester", 42, True),
        ("second_trimester", 10, False),
        ("first_trimester", 30, False),
        ("not_pregnant", 20, False),
        ("possibly_pregnant", 5, False),
    ],
)
def test_pregnancy_weeks_must_agree_with_the_trimester(pregnancy: str, weeks: int, ok: bool) -> None:
    raw = all_clear_answers(pregnancy=pregnancy, pregnancy_weeks=weeks)
    if ok:
        assert parse_answers(raw).get("pregnancy_weeks") == weeks
    else:
        fails(raw, "'pregnancy_weeks'")
    fails(all_clear_answers(pregnancy="second_trimester", pregnancy_weeks=43), "between 1 and 42")


def test_pregnancy_is_not_required_for_a_patient_recorded_male() -> None:
    raw = {k: v for k, v in all_clear_answers().items() if k != "pregnancy"}
    fails(raw, "missing required answer 'pregnancy'")
    fails(raw, "missing required answer 'pregnancy'", sex="female")
    assert parse_answers(raw, sex="male").get("pregnancy") is None
    assert not is_shown(QUESTIONS_BY_KEY["pregnancy"], {}, "male")
    assert is_shown(QUESTIONS_BY_KEY["pregnancy"], {}, "female")


def test_surgery_date_is_an_iso_date_not_in_the_future() -> None:
    ok = all_clear_answers(recent_surgery_sites=["right_knee"], recent_surgery_date="2025-03-01")
    assert parse_answers(ok).get("recent_surgery_date") == "2025-03-01"
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    fails(all_clear_answers(recent_surgery_date=tomorrow), "cannot be in the future")
    fails(all_clear_answers(recent_surgery_date="01/03/2025"), "must be a date YYYY-MM-DD")
    fails(all_clear_answers(recent_surgery_date="20250301"), "must be a date YYYY-MM-DD")
    fails(all_clear_answers(recent_surgery_date=20250301), "must be a date YYYY-MM-DD")


def test_old_whole_limb_choices_are_refused_for_local_findings() -> None:
    fails(all_clear_answers(infection_sites=["left_leg"]), "unknown item 'left_leg'")
    assert parse_answers(all_clear_answers(lymphoedema_limbs=["left_leg"])).get("lymphoedema_limbs") == ("left_leg",)


def test_conditional_questions_follow_their_answers() -> None:
    epilepsy_controlled = QUESTIONS_BY_KEY["epilepsy_controlled"]
    assert not is_shown(epilepsy_controlled, {"epilepsy": False})
    assert is_shown(epilepsy_controlled, {"epilepsy": True})
    cervical = QUESTIONS_BY_KEY["cervical_arterial_screen"]
    assert is_shown(cervical, {"treatment_regions": ["lower_back", "head_neck"]})
    assert not is_shown(cervical, {"treatment_regions": ["lower_back"]})
    platelets = QUESTIONS_BY_KEY["platelet_count"]
    assert is_shown(platelets, {"bleeding_disorder": True}) and is_shown(platelets, {"anticoagulants": True})
    assert not is_shown(platelets, {})
    assert not any(q.required for q in QUESTIONS if q.show_if)


def test_prefill_keeps_what_still_fits_and_drops_the_rest() -> None:
    stored = {
        **all_clear_answers(),
        "guardian_consent": True,
        "retired_question": True,
        "infection_sites": ["left_leg", "left_calf"],  # whole-limb id no longer offered here
        "implants": ["pacemaker_or_stimulator"],
        "age": 300,  # no longer valid
        "epilepsy_controlled": True,  # its condition (epilepsy) is not met: not asked
        "pregnancy": "not_pregnant",
    }
    out = prefill_answers(stored, sex="female")
    assert "retired_question" not in out and "age" not in out and "epilepsy_controlled" not in out
    assert out["infection_sites"] == ["left_calf"] and out["implants"] == ["pacemaker_or_stimulator"]
    assert out["needle_phobia"] is False and out["pregnancy"] == "not_pregnant"
    assert "pregnancy" not in prefill_answers(stored, sex="male")
    parse_answers(out)  # what is prefilled is a valid answer set
