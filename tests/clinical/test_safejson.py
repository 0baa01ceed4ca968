"""Bounded JSON parsing: every hostile shape is one JSONInputError, never RecursionError (issue 9)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dryneedling.clinical.commands import screen_file
from dryneedling.clinical.safejson import JSONInputError, loads_bounded
from dryneedling.clinical.safety.command import guardrails_file

HOSTILE = ["[" * 50000, "[" * 50000 + "]" * 50000, "9" * 5000, "1e999", "NaN", "-Infinity", "x" * 101]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: t[:12])
def test_hostile_json_is_one_error(text: str) -> None:
    with pytest.raises(JSONInputError):
        loads_bounded(text, max_chars=100_000, max_depth=8)


def test_size_cap_is_checked() -> None:
    with pytest.raises(JSONInputError, match="longer than 100 characters"):
        loads_bounded(" " * 101 + "1", max_chars=100, max_depth=8)


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    assert loads_bounded('{"a": "[[[[[[[[[[\\"{{{{"}', max_chars=100, max_depth=1) == {"a": '[[[[[[[[[["{{{{'}


@pytest.mark.parametrize("command", [screen_file, guardrails_file])
@pytest.mark.parametrize("text", ["[" * 50000, '{"age": ' + "9" * 5000 + "}"])
def test_cli_files_with_hostile_json_exit_2_with_one_line(tmp_path: Path, command, text: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hostile.json"
    path.write_text(text)
    err = io.StringIO()
    assert command(path, False, io.StringIO(), err) == 2
    assert err.getvalue().count("\n") == 1 and "not valid JSON" in err.getvalue()
