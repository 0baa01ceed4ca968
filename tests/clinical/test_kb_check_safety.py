"""`kb check` validates the issue-8 safety data (guardrails, consent coverage, jurisdictions)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from dryneedling.clinical.commands import kb_check


def _edit(data_copy: Path, name: str, change: Callable[[Any], None]) -> None:
    path = data_copy / name
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _guardrail(doc: Any, rule_id: str) -> Any:
    return next(g for g in doc["guardrails"] if g["id"] == rule_id)


def test_kb_check_prints_the_new_counts() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert kb_check(out, err) == 0
    text = out.getvalue()
    assert "optional items enforced by the safety engine" in text and "jurisdictions:" in text


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        (
            "guardrails.yaml",
            lambda d: _guardrail(d, "GR-ELECTRICAL-THORAX").update(sources=["nope"]),
            "guardrails.yaml: entry 'GR-ELECTRICAL-THORAX': field 'sources': unknown source id 'nope'",
        ),
        (
            "guardrails.yaml",
            lambda d: _guardrail(d, "GR-ELECTRICAL-PREGNANCY-TRUNK")["params"].update(muscles=["nope"]),
            "field 'params.muscles': unknown muscle id 'nope'",
        ),
        (
            "jurisdictions.yaml",
            lambda d: d["clinic_policy"].update(sources=["nope"]),
            "jurisdictions.yaml: entry '-': field 'clinic_policy.sources': unknown source id 'nope'",
        ),
        (
            "muscles_trunk.yaml",
            lambda d: d["muscles"][0].update(thorax="anterior"),
            "entry 'lumbar_multifidus': field 'thorax': only a lung-risk muscle",
        ),
        (
            "education.yaml",
            lambda d: d["consent"][3]["covers"].update(muscles=["nope"]),
            "field 'covers.muscles': unknown muscle id 'nope'",
        ),
    ],
)
def test_kb_check_fails_on_broken_safety_data(data_copy: Path, name: str, change: Any, message: str) -> None:
    _edit(data_copy, name, change)
    out, err = io.StringIO(), io.StringIO()
    assert kb_check(out, err, data_dir=data_copy) == 1
    assert message in err.getvalue() and err.getvalue().count("\n") == 1
