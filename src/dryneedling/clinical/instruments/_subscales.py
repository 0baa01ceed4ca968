"""Instruments scored by subscale from their items: PRTEE (MacDermid 2007) and FFI (Budiman-Mak 1991).

Pure functions. The catalogue in ``instruments.yaml`` keeps one total per administration; these give
the subscales a clinician reads and the total that is stored. No item wording is held (licensed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._model import NotScorable
from ._score import DECIMALS, _number

ITEM_MAX = 10  # PRTEE items and the FFI's numeric (0-10) version are rated 0-10

PRTEE_PAIN_ITEMS = 5
PRTEE_FUNCTION_ITEMS = 10  # 6 specific activities + 4 usual activities

FFI_SUBSCALES: tuple[tuple[str, int], ...] = (("pain", 9), ("disability", 9), ("activity_limitation", 5))
FFI_METHODS: tuple[str, ...] = ("pooled", "subscale_mean")
"""``pooled``: total = all answered items / (answered x 10) x 100; ``subscale_mean``: total = the mean of
the three subscale scores, the original FFI's method (Budiman-Mak 1991)."""


@dataclass(frozen=True)
class PrteeScore:
    """Pain 0-50, function 0-50, total 0-100; higher is worse."""

    pain: float
    function: float
    total: float


@dataclass(frozen=True)
class FfiScore:
    """Subscales and total in percent (0-100, higher is worse); ``answered`` counts items per subscale."""

    pain: float
    disability: float
    activity_limitation: float
    total: float
    method: str
    answered: tuple[int, int, int]


def _items(values: object, count: int, what: str, *, allow_missing: bool) -> list[float | None]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ValueError(f"{what} must be a list of item scores")
    if len(values) != count:
        raise ValueError(f"{what} takes {count} items, got {len(values)}")
    out: list[float | None] = []
    for index, raw in enumerate(values, start=1):
        if raw is None:
            if not allow_missing:
                raise NotScorable(f"{what} item {index} is unanswered: every item must be answered")
            out.append(None)
            continue
        value = _number(raw, f"{what} item {index}")
        if not 0 <= value <= ITEM_MAX or not value.is_integer():
            raise ValueError(f"{what} item {index}: {value:g} is not a whole number from 0 to {ITEM_MAX}")
        out.append(value)
    return out


def prtee_score(*, pain: Sequence[int | None], function: Sequence[int | None]) -> PrteeScore:
    """PRTEE from its 15 items (each 0-10), per the PRTEE user manual (MacDermid 2007).

    Pain = sum of the 5 pain items (0-50); function = sum of the 10 function items (6 specific, 4 usual
    activities) divided by 2 (0-50); total = pain + function (0-100). Every item must be answered
    (project convention: the manual's missing-item advice was not read in a primary copy).
    """
    pain_items = _items(pain, PRTEE_PAIN_ITEMS, "PRTEE pain", allow_missing=False)
    function_items = _items(function, PRTEE_FUNCTION_ITEMS, "PRTEE function", allow_missing=False)
    pain_score = sum(v for v in pain_items if v is not None)
    function_score = sum(v for v in function_items if v is not None) / 2
    return PrteeScore(pain=pain_score, function=function_score, total=pain_score + function_score)


def _ffi_subscale(name: str, values: list[float | None], size: int) -> tuple[float, int]:
    answered = [v for v in values if v is not None]
    if len(answered) * 2 < size:
        raise NotScorable(
            f"FFI {name.replace('_', ' ')}: {size - len(answered)} of {size} items not applicable; "
            "at least half must be answered"
        )
    return sum(answered) / (len(answered) * ITEM_MAX) * 100, len(answered)


def ffi_score(*, items: Sequence[int | None], method: str = "pooled") -> FfiScore:
    """FFI from its 23 items (0-10; ``None`` = not applicable), in the order pain 9, disability 9,
    activity limitation 5 (Budiman-Mak 1991).

    Each subscale = sum of its answered items / (answered items x 10) x 100, so a not-applicable item
    neither counts as 0 nor lowers the maximum of the others. A subscale with more than half of its items
    not applicable is not scorable (project convention). The total is pooled over all answered items
    (``pooled``, equal to sum / 230 x 100 when all are answered) or the mean of the three subscales
    (``subscale_mean``, the original FFI's method).
    """
    if method not in FFI_METHODS:
        raise ValueError(f"method must be one of {', '.join(FFI_METHODS)}, got {method!r}")
    values = _items(items, sum(size for _, size in FFI_SUBSCALES), "FFI", allow_missing=True)
    scores: list[float] = []
    counts: list[int] = []
    start = 0
    for name, size in FFI_SUBSCALES:
        value, answered = _ffi_subscale(name, values[start : start + size], size)
        scores.append(value)
        counts.append(answered)
        start += size
    if method == "subscale_mean":
        total = sum(scores) / len(scores)
    else:
        answered_values = [v for v in values if v is not None]
        total = sum(answered_values) / (len(answered_values) * ITEM_MAX) * 100
    return FfiScore(
        pain=round(scores[0], DECIMALS),
        disability=round(scores[1], DECIMALS),
        activity_limitation=round(scores[2], DECIMALS),
        total=round(total, DECIMALS),
        method=method,
        answered=(counts[0], counts[1], counts[2]),
    )
