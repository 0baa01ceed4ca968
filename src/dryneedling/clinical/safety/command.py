"""``dryneedling guardrails --plan FILE.json [--json]``: the safety engine from the command line.

Exit 0 for any verdict (allowed, warn, block); exit 2 with one line on stderr for bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from ..safejson import MAX_JSON_FILE_CHARS, MAX_JSON_FILE_DEPTH, JSONInputError, loads_bounded
from .engine import evaluate
from .plan import PlanError, SafetyPlan

LABELS = {"allowed": "ALLOWED", "warn": "WARN (give your reason to go ahead)", "block": "BLOCK (do not needle)"}


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def guardrails_file(path: str | Path, as_json: bool, out: TextIO, err: TextIO) -> int:
    """Read a plan file, evaluate it and print the verdict with every reason, rule id and source."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        print(_one_line(f"error: cannot read plan file '{path}': {reason}"), file=err)
        return 2
    try:
        raw = loads_bounded(text, max_chars=MAX_JSON_FILE_CHARS, max_depth=MAX_JSON_FILE_DEPTH)
    except JSONInputError as exc:
        print(_one_line(f"error: '{path}' is not valid JSON: {exc}"), file=err)
        return 2
    try:
        verdict = evaluate(SafetyPlan.from_dict(raw))
    except PlanError as exc:
        print(f"error: {_one_line(str(exc))}", file=err)
        return 2
    if as_json:
        print(json.dumps(verdict.to_dict(), indent=2, ensure_ascii=False), file=out)
        return 0
    lines = [f"Verdict: {LABELS[verdict.level]}"]
    if not verdict.reasons:
        lines.append("No guardrail applies.")
    for g in verdict.reasons:
        lines.append(f"  [{g.level}] {g.rule_id}: {g.message}")
        lines.append(f"      sources: {', '.join(g.sources)} (evidence {g.evidence})")
    print("\n".join(lines), file=out)
    return 0
