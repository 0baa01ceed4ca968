"""Home-care plans: library cover of every muscle and condition, plan building, JSON round trip."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from dryneedling.clinical.education import readability_grade
from dryneedling.clinical.homecare import (
    SECTIONS,
    HomeCarePlan,
    Item,
    build_plan,
    get_homecare,
    load_homecare,
    plan_from_dict,
    plan_to_dict,
)
from dryneedling.clinical.knowledge import Knowledge, KnowledgeError, get_knowledge

KB = get_knowledge()
LIB = get_homecare()
STRETCH_KINDS = ("stretch", "self_care")


def _section(plan: HomeCarePlan, title: str) -> tuple[Item, ...]:
    found = [s for s in plan.sections if s.title == title]
    assert found, f"no section {title!r} in {[s.title for s in plan.sections]}"
    return found[0].items


def _titles(plan: HomeCarePlan) -> list[str]:
    return [s.title for s in plan.sections]


def _text(items: tuple[Item, ...]) -> str:
    return " ".join(" ".join((i.title, i.instructions, i.dose or "", *i.cautions)) for i in items).lower()


# -- library ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("muscle_id", sorted(KB.muscles))
def test_every_muscle_has_a_stretch_or_self_care_item(muscle_id: str) -> None:
    assert [i for i in LIB.by_muscle(muscle_id) if i.kind in STRETCH_KINDS]


@pytest.mark.parametrize("condition_id", sorted(KB.conditions))
def test_every_condition_has_a_strengthening_item(condition_id: str) -> None:
    assert [i for i in LIB.items if i.kind == "strength" and condition_id in i.conditions]


def test_library_has_each_kind_and_a_handful_of_yoga_poses() -> None:
    kinds = [i.kind for i in LIB.items]
    assert {"after_care", "red_flag", "heat", "stretch", "self_care", "yoga", "strength"} <= set(kinds)
    assert 4 <= kinds.count("yoga") <= 8
    heat = next(i.item for i in LIB.items if i.kind == "heat")
    text = _text((heat,))
    assert "minutes" in (heat.dose or "") and "towel" in text
    assert "do not use heat" in text  # when not to


def test_every_source_id_resolves_and_items_carry_evidence() -> None:
    for lib in LIB.items:
        assert lib.item.sources, lib.item.id
        assert all(s in LIB.sources for s in lib.item.sources), lib.item.id
        assert lib.item.evidence in ("V", "M", "NF")
    assert "homecare_project_wording" in LIB.sources
    assert "homecare_project_wording" not in KB.sources  # own source, kept out of sources.yaml


@pytest.mark.parametrize("item_id", [i.item.id for i in LIB.items])
def test_each_item_reads_at_grade_8_or_lower(item_id: str) -> None:
    item = next(i.item for i in LIB.items if i.item.id == item_id)
    text = " ".join((item.instructions, item.dose or "", *item.cautions))
    assert readability_grade(text) <= 8.0, (item_id, readability_grade(text))


# -- plans --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "condition_id",
    ["neck_pain", "low_back_pain", "plantar_heel_pain", "shoulder_pain", "tmd_myogenous", "lateral_epicondylalgia"],
)
def test_plan_for_a_condition_has_heat_stretches_and_after_care(condition_id: str) -> None:
    muscles = KB.conditions[condition_id].muscles
    plan = build_plan(muscle_ids=muscles, condition_id=condition_id, max_items=None)  # every suggestion
    assert _titles(plan)[:5] == [t for t, _ in SECTIONS][:5]
    assert [i.id for i in _section(plan, "Heat")] == ["heat_pack"]
    stretched = {
        m for i in _section(plan, "Stretches and self-care") for lib in LIB.items if lib.item == i for m in lib.muscles
    }
    assert set(muscles) <= stretched
    strength = _section(plan, "Strengthening exercises")
    assert all(condition_id in lib.conditions for i in strength for lib in LIB.items if lib.item == i)
    after = _text(_section(plan, "After your needling"))
    assert "sore" in after and "one or two days" in after
    flags = _text(_section(plan, "When to get help"))
    for warning in ("short of breath", "chest pain", "911", "fever", "redness", "spreads", "severe", "worse"):
        assert warning in flags, warning
    assert plan.sources == tuple(dict.fromkeys(s for sec in plan.sections for i in sec.items for s in i.sources))


@pytest.mark.parametrize("condition_id", sorted(KB.conditions))
def test_plan_for_every_condition_builds(condition_id: str) -> None:
    plan = build_plan(muscle_ids=KB.conditions[condition_id].muscles, condition_id=condition_id, max_items=None)
    assert _section(plan, "Strengthening exercises")


def test_each_given_muscle_gets_its_own_stretch() -> None:
    for muscle_id in KB.muscles:
        items = _section(build_plan(muscle_ids=[muscle_id], condition_id=None), "Stretches and self-care")
        assert any(muscle_id in lib.muscles for i in items for lib in LIB.items if lib.item == i), muscle_id


def test_sections_are_left_out_when_empty() -> None:
    plan = build_plan(muscle_ids=[], condition_id=None)
    assert _titles(plan) == ["After your needling", "When to get help", "Heat"]
    plan = build_plan(muscle_ids=["masseter"], condition_id=None)
    assert "Strengthening exercises" not in _titles(plan) and "Gentle yoga" not in _titles(plan)
    assert "Gentle yoga" in _titles(build_plan(muscle_ids=["hamstrings"], condition_id=None))


def test_plan_is_deterministic_whatever_the_muscle_order() -> None:
    muscles = list(KB.conditions["hip_pain"].muscles)
    a = build_plan(muscle_ids=muscles, condition_id="hip_pain")
    b = build_plan(muscle_ids=list(reversed(muscles)) + muscles[:2], condition_id="hip_pain")
    assert a == b
    assert plan_to_dict(a) == plan_to_dict(build_plan(muscle_ids=tuple(muscles), condition_id="hip_pain"))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"muscle_ids": ["no_such_muscle"], "condition_id": None}, "unknown muscle id 'no_such_muscle'"),
        ({"muscle_ids": ["masseter"], "condition_id": "gout"}, "unknown condition id 'gout'"),
        ({"muscle_ids": "masseter", "condition_id": None}, "not a single string"),
        ({"muscle_ids": [3], "condition_id": None}, "unknown muscle id 3"),
    ],
)
def test_unknown_ids_raise_one_line_value_error(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match) as info:
        build_plan(**kwargs)
    assert "\n" not in str(info.value)


# -- JSON -----------------------------------------------------------------------------------------
def _plan() -> HomeCarePlan:
    return build_plan(muscle_ids=KB.conditions["low_back_pain"].muscles, condition_id="low_back_pain")


def test_round_trip_through_json() -> None:
    plan = _plan()
    stored = json.dumps(plan_to_dict(plan))
    assert plan_from_dict(json.loads(stored)) == plan


def test_an_edited_plan_reads_back() -> None:
    d = plan_to_dict(_plan())
    stretches = next(s for s in d["sections"] if s["title"] == "Stretches and self-care")
    stretches["items"][0]["dose"] = "Hold 20 s, 2 times, once a day."
    del stretches["items"][1]
    stretches["items"].append(
        {
            "id": "custom_walk",
            "title": "Walk to the mailbox",
            "instructions": "Walk slowly there and back.",
            "dose": None,
            "cautions": [],
            "sources": ["source_article"],
            "evidence": "M",
        }
    )
    d["sources"] = list(dict.fromkeys(s for sec in d["sections"] for i in sec["items"] for s in i["sources"]))
    plan = plan_from_dict(json.loads(json.dumps(d)))
    items = _section(plan, "Stretches and self-care")
    assert items[0].dose == "Hold 20 s, 2 times, once a day." and items[-1].id == "custom_walk"
    assert plan_from_dict(plan_to_dict(plan)) == plan


def _broken(change: Any) -> dict[str, Any]:
    d = copy.deepcopy(plan_to_dict(_plan()))
    change(d)
    return d


def _item0(d: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = d["sections"][0]["items"][0]
    return item


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.update(format=2), r"plan\.format"),
        (lambda d: d.update(extra=1), "unknown field 'extra'"),
        (lambda d: d.pop("sources"), "missing field 'sources'"),
        (lambda d: d.update(sections=[]), r"plan\.sections"),
        (lambda d: d["sections"][0].update(title=" "), r"sections\[0\]\.title"),
        (lambda d: _item0(d).update(evidence="X"), r"items\[0\]\.evidence"),
        (lambda d: _item0(d).update(sources=["nope"]), "unknown source id 'nope'"),
        (lambda d: _item0(d).update(sources=[]), r"items\[0\]\.sources"),
        (lambda d: _item0(d).update(instructions=5), r"items\[0\]\.instructions"),
        (lambda d: _item0(d).update(instructions="x" * 2001), "longer than 2000"),
        (lambda d: _item0(d).update(cautions="be careful"), r"items\[0\]\.cautions"),
        (lambda d: _item0(d).pop("dose"), "missing field 'dose'"),
        (lambda d: d["sections"][1]["items"].append(_item0(d)), "duplicate item id 'after_soreness'"),
        (lambda d: d.update(sources=d["sources"][::-1]), r"plan\.sources"),
        (lambda d: d["sections"].append("text"), r"sections\[\d+\]: expected an object"),
    ],
)
def test_plan_from_dict_rejects_bad_input(change: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match) as info:
        plan_from_dict(_broken(change))
    assert "\n" not in str(info.value)


def test_plan_from_dict_rejects_a_non_object() -> None:
    with pytest.raises(ValueError, match="plan: expected an object"):
        plan_from_dict([])


# -- loading a broken file ------------------------------------------------------------------------
def _edit(data_copy: Path, change: Any) -> None:
    path = data_copy / "homecare.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _by_id(doc: dict[str, Any], item_id: str) -> dict[str, Any]:
    item: dict[str, Any] = next(i for i in doc["items"] if i["id"] == item_id)
    return item


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["items"].remove(_by_id(d, "stretch_forearm_turn")),
            "homecare.yaml: entry '-': field 'items': muscle 'supinator' has no stretch or self_care item",
        ),
        (
            lambda d: _by_id(d, "chin_tuck").update(muscles=["neck"]),
            "homecare.yaml: entry 'chin_tuck': field 'muscles': unknown muscle id 'neck'",
        ),
        (
            lambda d: _by_id(d, "heat_pack").update(sources=["nope"]),
            "homecare.yaml: entry 'heat_pack': field 'sources': unknown source id 'nope'",
        ),
        (
            lambda d: _by_id(d, "heat_pack").update(colour="red"),
            "homecare.yaml: entry 'heat_pack': field 'colour': unknown field",
        ),
        (
            lambda d: _by_id(d, "heat_pack").pop("dose"),
            "homecare.yaml: entry 'heat_pack': field 'dose': missing required field",
        ),
        (
            lambda d: _by_id(d, "strength_grip").update(conditions=["gout"]),
            "homecare.yaml: entry 'strength_grip': field 'conditions': unknown condition id 'gout'",
        ),
        (
            lambda d: _by_id(d, "heat_pack").update(muscles=["masseter"]),
            "homecare.yaml: entry 'heat_pack': field 'muscles': only self_care, stretch, yoga items list muscles",
        ),
        (
            lambda d: d["items"].append(dict(_by_id(d, "heat_pack"))),
            "homecare.yaml: entry 'heat_pack': field 'id': duplicate id",
        ),
        (
            lambda d: d["sources"].append({"id": "unused_src", "citation": "x", "evidence": "M"}),
            "homecare.yaml: entry 'unused_src': field 'id': source is never cited",
        ),
        (
            lambda d: d["sources"].append({"id": "brady_2014", "citation": "x", "evidence": "M"}),
            "homecare.yaml: entry 'brady_2014': field 'id': duplicate source id",
        ),
    ],
)
def test_broken_file_names_file_entry_and_field(data_copy: Path, kb: Knowledge, change: Any, message: str) -> None:
    _edit(data_copy, change)
    with pytest.raises(KnowledgeError) as info:
        load_homecare(data_copy, kb)
    assert str(info.value) == message


def test_packaged_file_loads_from_a_copy(data_copy: Path, kb: Knowledge) -> None:
    assert load_homecare(data_copy, kb) == load_homecare(None, kb)
