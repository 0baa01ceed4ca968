"""Strict parsing of intake answers (the questions themselves are in :mod:`.questions`).

Unanswered optional questions are ``None`` ("not reported"). This module re-exports the
question data and the site vocabulary under their historical names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from .questions import (
    CHOICE_LABELS,
    IMPLANT_CHOICES,
    KINDS,
    LUNG_RISK_CHOICES,
    PREGNANCY_CHOICES,
    QUESTIONS,
    QUESTIONS_BY_KEY,
    TRIMESTER_WEEKS,
    Question,
    choice_label,
    is_shown,
)
from .sites import AREAS, LIMBS, SITES, Site, site_contains, site_label, site_region_ids
from .text import describe, forbidden_characters

__all__ = [
    "AREAS",
    "CHOICE_LABELS",
    "IMPLANT_CHOICES",
    "KINDS",
    "LIMBS",
    "LUNG_RISK_CHOICES",
    "MAX_TEXT",
    "PREGNANCY_CHOICES",
    "QUESTIONS",
    "QUESTIONS_BY_KEY",
    "SITES",
    "AnswerError",
    "IntakeAnswers",
    "Question",
    "Site",
    "all_clear_answers",
    "choice_label",
    "is_shown",
    "parse_answers",
    "prefill_answers",
    "site_contains",
    "site_label",
    "site_region_ids",
]

MAX_TEXT = 2000


class AnswerError(ValueError):
    """Intake answers are malformed; the message is one line."""


@dataclass(frozen=True)
class IntakeAnswers:
    """Validated answers; every question key is present (``None`` = not answered)."""

    values: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, key: str) -> Any:
        if key not in QUESTIONS_BY_KEY:
            raise KeyError(key)
        return self.values.get(key)

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.values.items() if v is not None}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    try:
        return f"{value:g}"
    except OverflowError:  # an int beyond any float, as JSON may send
        return _show(value)


def _check_number(question: Question, value: Any) -> Any:
    key = question.key
    if question.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(f"answer '{key}' must be a whole number, got {type(value).__name__}")
    elif isinstance(value, bool) or not isinstance(value, int | float) or value != value:  # NaN != NaN
        raise AnswerError(f"answer '{key}' must be a number, got {type(value).__name__}")
    lo, hi = question.min_value, question.max_value
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise AnswerError(f"answer '{key}' must be between {_num(lo)} and {_num(hi)}, got {_num(value)}")
    return value if question.kind == "int" else float(value)


def _check_date(question: Question, value: Any) -> str:
    key = question.key
    if not isinstance(value, str):
        raise AnswerError(f"answer '{key}' must be a date YYYY-MM-DD, got {type(value).__name__}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise AnswerError(f"answer '{key}' must be a date YYYY-MM-DD, got {_show(value)}") from None
    if len(value) != 10:
        raise AnswerError(f"answer '{key}' must be a date YYYY-MM-DD, got {_show(value)}")
    if day > date.today():
        raise AnswerError(f"answer '{key}' cannot be in the future ({value})")
    return value


def _check(question: Question, value: Any) -> Any:
    key, kind = question.key, question.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise AnswerError(f"answer '{key}' must be true or false, got {type(value).__name__}")
        return value
    if kind in ("int", "number"):
        return _check_number(question, value)
    if kind == "date":
        return _check_date(question, value)
    if kind == "choice":
        if not isinstance(value, str) or value not in question.choices:
            raise AnswerError(f"answer '{key}' must be one of: {', '.join(question.choices)}")
        return value
    if kind == "multichoice":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise AnswerError(f"answer '{key}' must be a list of strings")
        bad = [v for v in value if v not in question.choices]
        if bad:
            allowed = ", ".join(question.choices)
            if len(allowed) > 200:
                allowed = allowed[:197] + "..."
            raise AnswerError(f"answer '{key}' has unknown item {_show(bad[0])} (allowed: {allowed})")
        return tuple(dict.fromkeys(value))
    if not isinstance(value, str):
        raise AnswerError(f"answer '{key}' must be text, got {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise AnswerError(f"answer '{key}' is longer than {MAX_TEXT} characters")
    forbidden = forbidden_characters(value, multiline=True)
    if forbidden:  # NUL above all: PostgreSQL's JSON refuses it
        raise AnswerError(f"answer '{key}' holds invisible control characters ({describe(forbidden)}): remove them")
    # Blank text is "not answered": a substitute decision-maker of "  " is no one.
    return value if value.strip() else None


def _check_pregnancy_weeks(values: Mapping[str, Any]) -> None:
    weeks, status = values.get("pregnancy_weeks"), values.get("pregnancy")
    if weeks is None:
        return
    span = TRIMESTER_WEEKS.get(status or "")
    if span is None:
        raise AnswerError(f"answer 'pregnancy_weeks' ({weeks}) needs a trimester as the pregnancy answer, not {status}")
    lo, hi = span
    if not lo <= weeks <= hi:
        raise AnswerError(f"answer 'pregnancy_weeks' ({weeks}) does not agree with {status} (weeks {lo}-{hi})")


def parse_answers(raw: Any, *, partial: bool = False, sex: str | None = None) -> IntakeAnswers:
    """Validate raw answers (e.g. decoded JSON). Raises :class:`AnswerError` with a one-line message.

    ``partial=True`` accepts missing required answers (left ``None``). ``sex`` is the patient's
    recorded sex: a question hidden for it (pregnancy for a patient recorded male) is not
    required, but an answer given to it is still validated and screened.
    """
    if not isinstance(raw, dict):
        raise AnswerError(f"answers must be a JSON object, got {type(raw).__name__}")
    unknown = sorted(str(k) for k in raw if k not in QUESTIONS_BY_KEY)
    if unknown:
        raise AnswerError(f"unknown answer key {_show(unknown[0])}")
    values: dict[str, Any] = {}
    for question in QUESTIONS:
        value = raw.get(question.key)
        values[question.key] = None if value is None else _check(question, value)
    if not partial:
        for question in QUESTIONS:
            if question.required and values[question.key] is None and is_shown(question, values, sex):
                raise AnswerError(f"missing required answer '{question.key}'")
    _check_pregnancy_weeks(values)
    return IntakeAnswers(values=MappingProxyType(values))


def all_clear_answers(**overrides: Any) -> dict[str, Any]:
    """Answers with every required yes/no question answered "no" and no pregnancy: the starting
    point for synthetic data, tests and benchmarks (change one answer with a keyword)."""
    answers: dict[str, Any] = {q.key: False for q in QUESTIONS if q.required and q.kind == "bool"}
    answers["pregnancy"] = "not_pregnant"
    return answers | overrides


def prefill_answers(stored: Mapping[str, Any], *, sex: str | None = None) -> dict[str, Any]:
    """Answers of an earlier screening that still fit today's questions, to prefill a new one.

    Keys that no longer exist, values that no longer validate and items no longer offered are
    dropped; questions that are not asked for the patient are left out.
    """
    out: dict[str, Any] = {}
    for key, value in stored.items():
        question = QUESTIONS_BY_KEY.get(key)
        if question is None or value is None:
            continue
        if question.kind == "multichoice" and isinstance(value, list | tuple):
            value = [v for v in value if isinstance(v, str) and v in question.choices]
        try:
            checked = _check(question, value)
        except AnswerError:
            continue
        if checked is not None:
            out[key] = list(checked) if isinstance(checked, tuple) else checked
    return {k: v for k, v in out.items() if is_shown(QUESTIONS_BY_KEY[k], out, sex)}
