"""CLI behaviour: kb check, kb muscle, screen."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from dryneedling.clinical.commands import kb_check, kb_muscle, main, screen_file

from .helpers import base_answers


def test_kb_check_prints_counts() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert kb_check(out, err) == 0
    text = out.getvalue()
    assert int(re.search(r"muscles:\s+(\d+)", text).group(1)) >= 40  # type: ignore[union-attr]
    assert int(re.search(r"conditions:\s+(\d+)", text).group(1)) >= 12  # type: ignore[union-attr]
    for word in ("contraindications:", "absolute", "side effects:", "evidence:", "screening rules:"):
        assert word in text
    assert err.getvalue() == ""


def test_kb_check_fails_on_broken_data(data_copy: Path) -> None:
    path = data_copy / "conditions.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("muscles_evidence: M", "muscles_evidence: Q", 1))
    out, err = io.StringIO(), io.StringIO()
    assert kb_check(out, err, data_dir=data_copy) == 1
    assert err.getvalue().count("\n") == 1 and "conditions.yaml" in err.getvalue()


def test_kb_muscle() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert kb_muscle("rhomboids", out, err) == 0
    assert "19 mm" in out.getvalue() and "Valera-Calero" in out.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert kb_muscle("biceps", out, err) == 2
    assert out.getvalue() == "" and err.getvalue().count("\n") == 1


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    return path


def test_screen_text_and_json(tmp_path: Path) -> None:
    path = _write(tmp_path, json.dumps(base_answers(anticoagulants=True)))
    out, err = io.StringIO(), io.StringIO()
    assert screen_file(path, False, out, err) == 0
    assert "Suitable with precautions" in out.getvalue() and "SCR-PRE-ANTITHROMBOTICS" in out.getvalue()
    out = io.StringIO()
    assert screen_file(path, True, out, err) == 0
    data = json.loads(out.getvalue())
    assert data["decision"] == "suitable_with_precautions" and data["refer_to_physician"] is False
    assert err.getvalue() == ""


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[1, 2]",
        json.dumps({**base_answers(), "favourite": 1}),
        json.dumps({**base_answers(), "fever": "no"}),
        json.dumps({**base_answers(), "age": "40"}),
    ],
)
def test_screen_bad_input_exits_2_with_one_line(tmp_path: Path, content: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert screen_file(_write(tmp_path, content), False, out, err) == 2
    assert out.getvalue() == ""
    assert err.getvalue().count("\n") == 1 and err.getvalue().startswith("error: ")


def test_screen_missing_file(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert screen_file(tmp_path / "nope.json", False, out, err) == 2
    assert err.getvalue().count("\n") == 1


def test_main_dispatch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check"]) == 0
    assert "OK" in capsys.readouterr().out
    path = _write(tmp_path, json.dumps(base_answers(lymphoedema_limbs=["left_arm"])))
    assert main(["screen", "--answers", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["blocked_sites"] == ["left_arm"]


def test_screen_age_of_consent_sex_and_emergency(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    teen = _write(tmp_path, json.dumps(base_answers(age=16)))
    assert main(["screen", "--answers", str(teen), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "not_suitable_now"  # default 18
    assert main(["screen", "--answers", str(teen), "--json", "--age-of-consent", "16"]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "suitable"
    no_pregnancy = {k: v for k, v in base_answers().items() if k != "pregnancy"}
    path = tmp_path / "male.json"
    path.write_text(json.dumps(no_pregnancy), encoding="utf-8")
    assert main(["screen", "--answers", str(path), "--sex", "male"]) == 0
    assert "Decision: Suitable" in capsys.readouterr().out
    out, err = io.StringIO(), io.StringIO()
    assert screen_file(path, False, out, err, sex="female") == 2
    assert "missing required answer 'pregnancy'" in err.getvalue()
    urgent = tmp_path / "urgent.json"
    urgent.write_text(json.dumps(base_answers(chest_pain_or_breathless=True)), encoding="utf-8")
    out = io.StringIO()
    assert screen_file(urgent, False, out, io.StringIO()) == 0
    assert out.getvalue().splitlines()[0] == "EMERGENCY: CALL EMERGENCY SERVICES NOW"


@pytest.mark.parametrize("value", ["abc", "-1", "99"])
def test_screen_bad_age_of_consent_exits_2(tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, json.dumps(base_answers()))
    with pytest.raises(SystemExit) as info:
        main(["screen", "--answers", str(path), "--age-of-consent", value])
    assert info.value.code == 2
    assert "--age-of-consent" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("sources: [ifompt_cervical_2023]", "sources: [no_such_source]", "no_such_source"),
        ("- {answer: age, lt: {setting: age_of_consent}}", "- {answer: age, lt: {setting: shoe_size}}", "setting"),
        ("sites: [right_foot, left_foot]", "sites: [right_paw]", "right_paw"),
        ("{answer: inr, gt: 3.0}", "{answer: inr, gt: high}", "expected a number"),
    ],
)
def test_kb_check_validates_the_new_screening_rules(data_copy: Path, old: str, new: str, fragment: str) -> None:
    path = data_copy / "screening_rules.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert kb_check(out, err, data_dir=data_copy) == 1
    assert "screening_rules.yaml" in err.getvalue() and fragment in err.getvalue()
