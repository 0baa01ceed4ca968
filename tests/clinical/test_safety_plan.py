"""Reading a safety plan: strict shape, one-line errors naming the field (PlanError)."""

from __future__ import annotations

from typing import Any

import pytest

from dryneedling.clinical.safety import PlanError, SafetyPlan

from .safety_plans import ELECTRICAL, insertion, plan


def _error(raw: Any) -> str:
    with pytest.raises(PlanError) as info:
        SafetyPlan.from_dict(raw)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.update(extra=1), "plan field 'extra': unknown key"),
        (lambda r: r["insertion"].update(muscle="biceps_femoris_x"), "'insertion.muscle': unknown muscle"),
        (lambda r: r["insertion"].update(side="up"), "'insertion.side': must be one of left, right, midline"),
        (lambda r: r["insertion"].update(needle_length_mm="30"), "'insertion.needle_length_mm': expected a number"),
        (lambda r: r["insertion"].update(needle_length_mm=500), "'insertion.needle_length_mm': must lie between"),
        (lambda r: r["insertion"].update(target_depth_mm=40), "'insertion.target_depth_mm': must not be deeper"),
        (lambda r: r["insertion"].update(technique="electrical"), "'insertion.electrical': is required"),
        (lambda r: r["insertion"].update(electrical=dict(ELECTRICAL)), "'insertion.electrical': is only for"),
        (lambda r: r["insertion"].update(location={"view": "side", "x": 1, "y": 1}), "'insertion.location.view'"),
        (lambda r: r["insertion"].pop("muscle"), "'insertion.muscle': is required"),
        (lambda r: r["patient"].update(sex="male", pregnancy_weeks=12), "'patient.pregnancy_weeks': given for"),
        (lambda r: r["patient"].update(height_cm=True), "'patient.height_cm': expected a number"),
        (lambda r: r.update(consent={"version": "x", "items": "all"}), "'consent.items': expected a list"),
        (lambda r: r.update(screening={"answers": {"no_such_question": True}}), "'screening.answers':"),
        (lambda r: r.update(screening={"answers": {"epilepsy": "often"}}), "'screening.answers':"),
        (lambda r: r.update(session={"insertions": [{"muscle": "deltoid"}]}), "'session.insertions[0].side'"),
        (lambda r: r.update(clinician={"jurisdiction": "mars"}), "'clinician.jurisdiction': must be one of"),
        (lambda r: r.update(clinician={"profession": "wizard"}), "'clinician.profession': must be one of"),
    ],
)
def test_bad_plans_name_the_field(change: Any, field: str) -> None:
    raw = plan(insertion("deltoid"))
    change(raw)
    assert field in _error(raw)


def test_plan_must_be_an_object() -> None:
    assert "expected an object" in _error([1, 2])


@pytest.mark.parametrize(
    ("key", "value"),
    [("frequency_hz", 500), ("pulse_width_us", 5), ("intensity_ma", 0), ("duration_min", 600), ("device", "")],
)
def test_electrical_parameters_are_range_checked(key: str, value: Any) -> None:
    raw = plan(insertion("deltoid", electrical=True))
    raw["insertion"]["electrical"][key] = value
    assert f"insertion.electrical.{key}" in _error(raw)


def test_lead_pair_must_name_another_electrical_insertion() -> None:
    assert "no other insertion 0" in _error(plan(insertion("deltoid", paired_with=0)))
    plain = {"session": {"insertions": [insertion("deltoid", side="left")]}}
    assert "is not an electrical insertion" in _error(plan(insertion("deltoid", paired_with=0), **plain))


def test_midline_is_not_an_input_error() -> None:
    SafetyPlan.from_dict(plan(insertion("rhomboids", side="midline")))  # a block reason, not a PlanError


def test_a_good_plan_reads_every_part() -> None:
    other = insertion("soleus", side="left", electrical=True)
    raw = plan(
        insertion("gastrocnemius", side="left", paired_with=0, location={"view": "back", "x": 88, "y": 372}),
        patient={"age": 30, "sex": "female", "pregnancy_weeks": 30, "height_cm": 160, "weight_kg": 64},
        screening={"answers": {"epilepsy": True}},
        session={"insertions": [other]},
        clinician={"profession": "physical_therapist", "training_hours": 54, "jurisdiction": "generic"},
    )
    p = SafetyPlan.from_dict(raw)
    assert p.insertion.electrical is not None and p.insertion.electrical.paired_with == 0
    assert p.patient.bmi == pytest.approx(25.0)
    context = p.context()
    assert context.pregnant_trimester == 3 and context.epilepsy and context.bmi == pytest.approx(25.0)
    assert p.clinician is not None and p.clinician.training_hours == 54


def test_the_readme_example_plan_is_valid() -> None:
    import json
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Safety plans", 1)[1]
    example = section.split("```json", 1)[1].split("```", 1)[0]
    plan_ = SafetyPlan.from_dict(json.loads(example))
    assert plan_.insertion.muscle_id == "rhomboids" and plan_.session
