"""Loading the knowledge data: contents, immutability and loud failures."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from dryneedling.clinical.knowledge import Knowledge, KnowledgeError, get_knowledge, load_knowledge
from dryneedling.clinical.screening import parse_answers, screen

from .helpers import base_answers


def test_version_and_counts(kb: Knowledge) -> None:
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d+", kb.version)
    assert len(kb.muscles) >= 40
    assert len(kb.conditions) >= 12
    kinds = {c.kind for c in kb.contraindications.values()}
    assert kinds == {"absolute", "relative", "site"}
    assert {s.severity for s in kb.side_effects.values()} == {"mild", "significant", "serious"}


def test_get_knowledge_is_cached() -> None:
    assert get_knowledge() is get_knowledge()


def test_objects_are_immutable(kb: Knowledge) -> None:
    muscle = kb.muscles["upper_trapezius"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        muscle.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        kb.muscles["x"] = muscle  # type: ignore[index]
    assert isinstance(muscle.trigger_points, tuple)


def test_every_entry_has_sources_and_tag(kb: Knowledge) -> None:
    tables: list[Any] = [kb.muscles, kb.conditions, kb.contraindications, kb.side_effects, kb.evidence, kb.guardrails]
    for table in tables:
        for item in table.values():
            assert item.sources, item.id
            assert item.evidence in ("V", "M", "NF"), item.id
    for rule in kb.screening_rules:
        assert rule.sources and rule.evidence in ("V", "M", "NF")


def test_required_sets(kb: Knowledge) -> None:
    site = {c.id for c in kb.contraindications.values() if c.kind == "site"}
    assert {
        "lymphoedema_limb",
        "local_infection_or_lesion",
        "breast_tissue",
        "joint_capsule_surgery",
        "pregnancy_sites",
    } <= site
    assert kb.contraindications["bleeding_or_antithrombotics"].kind == "relative"
    for cid in [
        "neck_pain",
        "low_back_pain",
        "sciatica_like_pain",
        "muscle_strain",
        "shoulder_pain",
        "lateral_epicondylalgia",
        "knee_pain",
        "hip_pain",
        "plantar_heel_pain",
        "tension_type_headache",
        "cervicogenic_headache",
        "tmd_myogenous",
    ]:
        condition = kb.conditions[cid]
        assert condition.icd10 and condition.outcome_measures and condition.evidence_summary
        assert all(len(code) == 2 for code in condition.icd10)


def _rate(kb: Knowledge, effect: str, source: str) -> float | None:
    return next(r.value for r in kb.side_effects[effect].rates if r.source == source)


def test_side_effect_rates_follow_published_figures(kb: Knowledge) -> None:
    assert _rate(kb, "any_mild_brady", "brady_2014") == 19.18
    assert _rate(kb, "bruising", "brady_2014") == 7.55
    assert _rate(kb, "bleeding", "brady_2014") == 4.65
    assert _rate(kb, "pain_during", "brady_2014") == 3.01
    assert _rate(kb, "pain_after", "brady_2014") == 2.19
    assert _rate(kb, "aggravation", "brady_2014") == 0.88
    assert _rate(kb, "any_minor_boyce", "boyce_2020") == 36.7
    major = _rate(kb, "any_major_boyce", "boyce_2020")
    assert major is not None and major < 0.1
    assert kb.side_effects["pneumothorax"].severity == "serious"
    assert all(se.management for se in kb.side_effects.values())


def test_sanchez_infante_windows(kb: Knowledge) -> None:
    smd = {
        eid: kb.evidence[eid].figures[0].value for eid in ("si2021_72h", "si2021_1_3w", "si2021_4_12w", "si2021_13_24w")
    }
    assert smd == {"si2021_72h": "-0.81", "si2021_1_3w": "-0.69", "si2021_4_12w": "-0.85", "si2021_13_24w": "-0.81"}
    assert {"gattie2017_short", "gattie2017_long", "gattie2017_function"} <= set(kb.evidence)
    assert sum(e.topic == "dn_vs_acupuncture" for e in kb.evidence.values()) >= 5


def _edit_yaml(path: Path, edit: Any) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _entry(doc: dict[str, Any], key: str, ident: str) -> dict[str, Any]:
    return next(e for e in doc[key] if e["id"] == ident)


BROKEN = [
    (
        "muscles_head_neck.yaml",
        lambda d: _entry(d, "muscles", "upper_trapezius").pop("name"),
        "upper_trapezius",
        "name",
    ),
    ("muscles_head_neck.yaml", lambda d: _entry(d, "muscles", "masseter").update(evidence="X"), "masseter", "evidence"),
    (
        "muscles_lower_limb.yaml",
        lambda d: _entry(d, "muscles", "soleus")["trigger_points"][0].update(x=3, y=3),
        "soleus",
        "trigger_points[0]",
    ),
    (
        "muscles_trunk.yaml",
        lambda d: _entry(d, "muscles", "piriformis").update(referral_primary=["back.tail"]),
        "piriformis",
        "referral_primary",
    ),
    (
        "muscles_upper_limb.yaml",
        lambda d: _entry(d, "muscles", "deltoid")["needle"].update(length_mm=[40, 25]),
        "deltoid",
        "needle.length_mm",
    ),
    (
        "conditions.yaml",
        lambda d: _entry(d, "conditions", "neck_pain")["muscles"].append("biceps"),
        "neck_pain",
        "muscles",
    ),
    ("conditions.yaml", lambda d: _entry(d, "conditions", "knee_pain").update(colour="red"), "knee_pain", "colour"),
    (
        "side_effects.yaml",
        lambda d: _entry(d, "side_effects", "bruising")["sources"].append("nobody_2099"),
        "bruising",
        "sources",
    ),
    (
        "contraindications.yaml",
        lambda d: _entry(d, "contraindications", "diabetes").update(kind="maybe"),
        "diabetes",
        "kind",
    ),
    (
        "evidence.yaml",
        lambda d: _entry(d, "evidence", "rahou2020_knee").update(conditions=["elbow"]),
        "rahou2020_knee",
        "conditions",
    ),
    (
        "screening_rules.yaml",
        lambda d: _entry(d, "rules", "SCR-PRE-DIABETES").update(when={"answer": "sugar", "is": True}),
        "SCR-PRE-DIABETES",
        "when.answer",
    ),
    (
        "screening_rules.yaml",
        lambda d: _entry(d, "rules", "SCR-PRE-EPILEPSY").update(effect="panic"),
        "SCR-PRE-EPILEPSY",
        "effect",
    ),
    (
        "guardrails.yaml",
        lambda d: _entry(d, "guardrails", "GR-PREGNANCY-SITE")["params"]["muscles"].append("tail"),
        "GR-PREGNANCY-SITE",
        "params.muscles",
    ),
    ("sources.yaml", lambda d: d["sources"].append(dict(d["sources"][0])), "source_article", "id"),
]


@pytest.mark.parametrize(("filename", "edit", "entry", "field"), BROKEN, ids=[f"{b[0]}:{b[3]}" for b in BROKEN])
def test_broken_file_names_file_entry_and_field(
    data_copy: Path, filename: str, edit: Any, entry: str, field: str
) -> None:
    _edit_yaml(data_copy / filename, edit)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(data_copy)
    message = str(info.value)
    assert filename in message and f"'{entry}'" in message and f"'{field}'" in message, message
    assert (info.value.file, info.value.entry, info.value.field) == (filename, entry, field)


def test_invalid_yaml_names_the_file(data_copy: Path) -> None:
    path = data_copy / "conditions.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"conditions\.yaml.*not valid YAML"):
        load_knowledge(data_copy)


def test_bad_version_is_rejected(data_copy: Path) -> None:
    _edit_yaml(data_copy / "knowledge.yaml", lambda d: d.update(version="v1"))
    with pytest.raises(KnowledgeError, match=r"knowledge\.yaml.*'version'"):
        load_knowledge(data_copy)


def test_bodychart_problems_are_reported(data_copy: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["views"]["front"]["regions"][0]["polygon"] = [[0, 0], [500, 0], [0, 10]]

    _edit_yaml(data_copy / "bodychart.yaml", edit)
    with pytest.raises(KnowledgeError, match=r"bodychart\.yaml.*'front\.head\.forehead'.*'polygon'"):
        load_knowledge(data_copy)


def test_adding_a_rule_is_adding_an_entry(data_copy: Path) -> None:

    def edit(doc: dict[str, Any]) -> None:
        doc["rules"].append(
            {
                "id": "SCR-PRE-TEST",
                "when": {"answer": "notes", "unanswered": False},
                "effect": "precaution",
                "reason": "Test rule fired.",
                "sources": ["physiopedia_list"],
                "evidence": "V",
            }
        )

    _edit_yaml(data_copy / "screening_rules.yaml", edit)
    knowledge = load_knowledge(data_copy)
    decision = screen(parse_answers(base_answers(notes="anything")), knowledge)
    assert "SCR-PRE-TEST" in decision.rule_ids
    assert decision.decision == "suitable_with_precautions"
