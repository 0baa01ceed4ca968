"""Clinician credentials against the clinic's jurisdiction (data in jurisdictions.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dryneedling.clinical.credentials import JURISDICTIONS, credential_problems, load_credentials
from dryneedling.clinical.knowledge import Knowledge, KnowledgeError

from .safety_plans import ids, insertion, plan, run


def _rules(**kwargs: object) -> set[str]:
    return {g.rule_id for g in credential_problems(**kwargs)}  # type: ignore[arg-type]


def test_jurisdictions_include_generic_and_us_states() -> None:
    assert "generic" in JURISDICTIONS and len(JURISDICTIONS) >= 5
    assert all(label.strip() for label in JURISDICTIONS.values())


def test_untrained_clinician_is_blocked_everywhere() -> None:
    assert _rules(jurisdiction="generic", profession="physical_therapist", training_hours=0) == {"CRED-TRAINING-POLICY"}
    assert _rules(jurisdiction="generic", profession="physical_therapist", training_hours=27) == set()


def test_state_minimum_hours_apply_to_physical_therapists() -> None:
    assert "CRED-TRAINING-HOURS" in _rules(jurisdiction="us_co", profession="physical_therapist", training_hours=27)
    assert _rules(jurisdiction="us_co", profession="physical_therapist", training_hours=54) == set()


def test_physical_therapists_may_not_dry_needle_where_not_permitted() -> None:
    assert "CRED-SCOPE" in _rules(jurisdiction="us_ca", profession="physical_therapist", training_hours=100)
    assert "CRED-SCOPE" not in _rules(jurisdiction="us_ca", profession="physician", training_hours=100)


def test_unknown_profession_is_blocked_and_bad_input_raises() -> None:
    assert "CRED-PROFESSION" in _rules(jurisdiction="generic", profession=None, training_hours=10)
    with pytest.raises(ValueError, match="unknown jurisdiction"):
        credential_problems(jurisdiction="mars", profession=None, training_hours=1)


def test_every_problem_is_a_block_with_sources(kb: Knowledge) -> None:
    for g in credential_problems(jurisdiction="us_ca", profession="physical_therapist", training_hours=0):
        assert g.level == "block" and g.sources and all(s in kb.sources for s in g.sources)


def test_evaluate_includes_the_clinician() -> None:
    raw = plan(
        insertion("gastrocnemius", length=40),
        clinician={"profession": "physical_therapist", "training_hours": 20, "jurisdiction": "us_de"},
    )
    assert "CRED-TRAINING-HOURS" in ids(run(raw), "block")


def test_unknown_source_in_jurisdictions_fails_loading(data_copy: Path, kb: Knowledge) -> None:
    path = data_copy / "jurisdictions.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["jurisdictions"][1]["sources"] = ["nope"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="jurisdictions.yaml: entry 'us_az': field 'sources': unknown source id"):
        load_credentials(data_copy, kb)
