"""Scoring, change and responder rules over the catalogue in ``instruments.yaml``."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

from ._load import get_instrument_data
from ._model import RULES, Change, Instrument, NotScorable, Score, Threshold

DECIMALS = 2  # scores and percents are reported to 2 decimals


def _instrument(instrument_id: object) -> Instrument:
    instruments = get_instrument_data().instruments
    if not isinstance(instrument_id, str) or instrument_id not in instruments:
        raise ValueError(f"unknown instrument id {instrument_id!r} (expected one of {', '.join(instruments)})")
    return instruments[instrument_id]


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def _in_total(inst: Instrument, value: object, what: str) -> float:
    number = _number(value, what)
    lo, hi = inst.total_range
    if not lo <= number <= hi:
        raise ValueError(f"{what} {number:g} is outside the {inst.name} range {lo:g} to {hi:g} {inst.unit}")
    return number


def _percent(inst: Instrument, value: float) -> float | None:
    if not inst.percent:
        return None
    lo, hi = inst.total_range
    return round((value - lo) / (hi - lo) * 100, DECIMALS)


def _answers(inst: Instrument, items: object) -> tuple[list[float], int]:
    """The answered item values and the number of items given (validated)."""
    assert inst.item_count is not None and inst.item_range is not None
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise ValueError(f"items must be a list of item scores (None = missing), got {type(items).__name__}")
    (n_lo, n_hi), (lo, hi) = inst.item_count, inst.item_range
    if not n_lo <= len(items) <= n_hi:
        count = str(n_lo) if n_lo == n_hi else f"{n_lo} to {n_hi}"
        raise ValueError(f"{inst.name} takes {count} item(s), got {len(items)}")
    answers: list[float] = []
    for index, raw in enumerate(items, start=1):
        if raw is None:
            continue
        value = _number(raw, f"{inst.name} item {index}")
        if not lo <= value <= hi:
            raise ValueError(f"{inst.name} item {index}: {value:g} is outside {lo:g} to {hi:g}")
        if inst.integer_items and not value.is_integer():
            raise ValueError(f"{inst.name} item {index}: {value:g} is not a whole number")
        answers.append(value)
    return answers, len(items)


def score(
    *,
    instrument_id: str,
    items: Sequence[int | float | None] | None = None,
    total: float | None = None,
) -> Score:
    """Score one administration from item answers (``None`` = missing) or from a clinician-entered total.

    Raises ``ValueError`` (one line) for bad input and :class:`NotScorable` when more items are missing
    than the instrument's missing-item rule allows. A total is in :attr:`Score.value` units.
    """
    inst = _instrument(instrument_id)
    if items is not None and total is not None:
        raise ValueError("give either items or a total, not both")
    if items is None and total is None:
        raise ValueError("give either items or a total")
    if total is not None:
        value = _in_total(inst, total, "total")
        return Score(inst.id, value, inst.unit, _percent(inst, value), 0, 0, inst.direction)
    if inst.scoring == "total_only":
        raise ValueError(f"{inst.name} is stored as a clinician-entered total only; give total, not items")
    answers, given = _answers(inst, items)
    answered, missing = len(answers), given - len(answers)
    if not answers or missing > inst.max_missing:
        allowed = f"at most {inst.max_missing}" if inst.max_missing else "none"
        raise NotScorable(f"{inst.name}: {missing} of {given} item(s) missing, {allowed} allowed")
    assert inst.item_range is not None
    lo, hi = inst.item_range
    mean = sum(answers) / answered
    if inst.scoring == "sum":
        value = mean * given  # prorated to all items when some are missing
    elif inst.scoring == "rescaled":
        value = (mean - lo) / (hi - lo) * 100
    else:  # single, mean
        value = mean
    value = round(value, DECIMALS)
    return Score(inst.id, value, inst.unit, _percent(inst, value), answered, missing, inst.direction)


def _pick(group: tuple[Threshold, ...], context: str | None) -> Threshold | None:
    chosen = next((t for t in group if t.context == context), None) if context else None
    return chosen or next((t for t in group if t.default), None)


def _mcid_value(
    inst: Instrument, mcid: Threshold | None, before: float, rule: str, override: float | None
) -> tuple[float | None, float | None]:
    """(MCID in score units, relative percent) under ``rule``, the clinic's ``override`` replacing the default."""
    if rule == "points":
        if override is not None:
            return round(_positive(override, inst.total_range[1] - inst.total_range[0], "MCID override"), 6), None
        return (round(inst.in_score_units(mcid), 6) if mcid else None), None
    if inst.direction != "higher_is_worse":
        raise ValueError(f"{inst.name}: a relative MCID is only defined for a reduction (higher is worse)")
    percent = _positive(override, 100, "relative MCID override") if override is not None else None
    if percent is None:
        percent = mcid.relative if mcid else None
        if percent is None:
            raise ValueError(f"{inst.name} has no sourced relative MCID: use rule 'points' or give an override")
    return round((before - inst.total_range[0]) * percent / 100, 6), percent


def _positive(value: object, ceiling: float, what: str) -> float:
    number = _number(value, what)
    if not 0 < number <= ceiling:
        raise ValueError(f"{what} must be greater than 0 and at most {ceiling:g}, got {number:g}")
    return number


def change(
    *,
    instrument_id: str,
    baseline: float,
    follow_up: float,
    context: str | None = None,
    rule: str = "points",
    override: float | None = None,
    mdc_context: str | None = None,
) -> Change:
    """Change from ``baseline`` to ``follow_up`` (both in :attr:`Score.value` units) against MCID and MDC.

    ``responder``: improvement >= MCID (and > 0); ``beyond_mdc``: |delta| >= MDC. The MCID of ``context``
    is used when listed, otherwise the instrument's default; an MDC only for its own context (or the
    instrument's default MDC where one is marked), never one measured in another body region.
    ``rule`` is ``points`` (absolute change) or ``relative`` (percent of baseline, where the source gives
    one: NPRS and ODI 30 %). ``override`` is a clinic's own MCID: score units for ``points``, percent for
    ``relative``. The rule, percent and whether it was overridden are returned with the verdict.
    ``mdc_context``, when given, picks the MDC's body region apart from the MCID's context.
    """
    inst = _instrument(instrument_id)
    if inst.kind == "change":
        raise ValueError(f"{inst.name} is itself a rating of change: use groc_responder()")
    if context is not None and not isinstance(context, str):
        raise ValueError(f"context must be a string or None, got {context!r}")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    before, after = _in_total(inst, baseline, "baseline"), _in_total(inst, follow_up, "follow_up")
    delta = round(after - before, 6)
    improvement = -delta if inst.direction == "higher_is_worse" else delta
    improvement += 0.0  # no negative zero
    mcid, mdc = _pick(inst.mcids, context), _pick(inst.mdcs, mdc_context if mdc_context is not None else context)
    mcid_value, percent = _mcid_value(inst, mcid, before, rule, override)
    mdc_value = round(inst.in_score_units(mdc), 6) if mdc else None
    return Change(
        instrument_id=inst.id,
        context=mcid.context if mcid else None,
        delta=delta,
        improvement=improvement,
        mcid=mcid_value,
        mdc=mdc_value,
        responder=None if mcid_value is None else improvement > 0 and improvement >= mcid_value,
        beyond_mdc=None if mdc_value is None else abs(delta) >= mdc_value,
        mcid_id=mcid.id if mcid else None,
        mcid_sources=mcid.sources if mcid else (),
        evidence=mcid.evidence if mcid else "NF",
        mdc_sources=mdc.sources if mdc else (),
        mdc_evidence=mdc.evidence if mdc else None,
        unit=inst.unit,
        rule=rule,
        relative_percent=percent,
        overridden=override is not None,
    )


def groc_responder(*, value: int, threshold: int | None = None) -> bool:
    """Whether a Global Rating of Change answer counts as improved (default threshold from the data, +4 [M])."""
    groc = _instrument("groc")
    assert groc.responder_threshold is not None
    lo, hi = (int(v) for v in groc.total_range)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"GROC value must be a whole number from {lo} to +{hi}, got {value!r}")
    if threshold is None:
        threshold = groc.responder_threshold.value
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 1 <= threshold <= hi:
        raise ValueError(f"GROC threshold must be a whole number from 1 to {hi}, got {threshold!r}")
    return value >= threshold


@lru_cache(maxsize=1)
def _alias_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    data = get_instrument_data()
    return tuple(
        (
            iid,
            re.compile(
                "|".join(rf"(?<![\w-]){re.escape(a)}(?![\w-])" for a in data.instruments[iid].aliases), re.IGNORECASE
            ),
        )
        for iid in data.function_preference
    )


def condition_measure(*, condition_outcomes: Sequence[str]) -> str | None:
    """The function-measure instrument id to score for a condition, from its outcome-measure names.

    The first instrument of the data's ``function_preference`` named in any of the strings wins
    (neck -> ndi, low back -> odi, shoulder -> quickdash, knee/hip/foot -> lefs, elbow -> prtee);
    when none is named, the generic PSFS. ``None`` when no outcome measures are given.
    """
    if isinstance(condition_outcomes, str) or not isinstance(condition_outcomes, Sequence):
        raise ValueError("condition_outcomes must be a list of outcome-measure names, not a single string")
    if not all(isinstance(o, str) for o in condition_outcomes):
        raise ValueError("condition_outcomes must hold only strings")
    if not condition_outcomes:
        return None
    patterns = _alias_patterns()
    for iid, pattern in patterns:
        if any(pattern.search(o) for o in condition_outcomes):
            return iid
    return patterns[-1][0]
