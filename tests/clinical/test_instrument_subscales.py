"""PRTEE and FFI scored from items (issue 11): worked examples built from the published scoring rules.

PRTEE (MacDermid 2007 user manual): pain = sum of the 5 pain items (0-50); function = sum of the 10
function items / 2 (0-50); total = pain + function (0-100).
FFI (Budiman-Mak 1991): subscale = sum of the answered items / (answered items x item maximum) x 100,
so "not applicable" items are left out of both sum and maximum; the original total is the mean of the
three subscales; the pooled total equals sum / 230 x 100 when every item is answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from dryneedling.clinical.instruments import NotScorable, ffi_score, prtee_score, score


# -- PRTEE ----------------------------------------------------------------------------------------
def test_prtee_worked_example() -> None:
    # Pain 5 + 6 + 4 + 7 + 3 = 25. Function: specific 4+5+3+6+2+5 = 25, usual 3+4+2+5 = 14, 39 / 2 = 19.5.
    s = prtee_score(pain=[5, 6, 4, 7, 3], function=[4, 5, 3, 6, 2, 5, 3, 4, 2, 5])
    assert (s.pain, s.function, s.total) == (25.0, 19.5, 44.5)
    assert score(instrument_id="prtee", total=s.total).value == 44.5  # the total is what is stored


def test_prtee_ends_of_the_scale() -> None:
    assert prtee_score(pain=[0] * 5, function=[0] * 10).total == 0.0
    best_worst = prtee_score(pain=[10] * 5, function=[10] * 10)
    assert (best_worst.pain, best_worst.function, best_worst.total) == (50.0, 50.0, 100.0)
    # Function weighs half per item: 10 function points move the total by 5, 10 pain points by 10.
    assert prtee_score(pain=[0] * 5, function=[10] + [0] * 9).total == 5.0
    assert prtee_score(pain=[10] + [0] * 4, function=[0] * 10).total == 10.0


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"pain": [1] * 4, "function": [1] * 10}, ValueError, "takes 5 items"),
        ({"pain": [1] * 5, "function": [1] * 11}, ValueError, "takes 10 items"),
        ({"pain": [1] * 4 + [11], "function": [1] * 10}, ValueError, "item 5: 11 is not a whole number from 0 to 10"),
        ({"pain": [1] * 5, "function": [1] * 9 + [2.5]}, ValueError, "not a whole number"),
        ({"pain": [1] * 5, "function": [1] * 9 + [None]}, NotScorable, "item 10 is unanswered"),
        ({"pain": "11111", "function": [1] * 10}, ValueError, "list of item scores"),
    ],
)
def test_prtee_bad_input(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        prtee_score(**kwargs)


# -- FFI ------------------------------------------------------------------------------------------
ALL_ANSWERED = [5] * 9 + [2] * 9 + [1] * 5  # pain 45/90, disability 18/90, activity limitation 5/50


def test_ffi_subscales_all_answered() -> None:
    s = ffi_score(items=ALL_ANSWERED)
    assert (s.pain, s.disability, s.activity_limitation) == (50.0, 20.0, 10.0)
    assert (s.total, s.method, s.answered) == (29.57, "pooled", (9, 9, 5))  # 68 / 230 x 100
    assert s.total == score(instrument_id="ffi", items=ALL_ANSWERED).value  # same as the catalogue's total


def test_ffi_original_subscale_mean_method() -> None:
    s = ffi_score(items=ALL_ANSWERED, method="subscale_mean")
    assert (s.total, s.method) == (26.67, "subscale_mean")  # (50 + 20 + 10) / 3


def test_ffi_not_applicable_items_leave_the_sum_and_the_maximum() -> None:
    # Pain: 8 answered x 6 = 48 of 80 (one N/A); disability 9 x 4 = 36 of 90; activity 3 x 2 = 6 of 30.
    items = [6] * 8 + [None] + [4] * 9 + [2, None, 2, None, 2]
    s = ffi_score(items=items)
    assert (s.pain, s.disability, s.activity_limitation) == (60.0, 40.0, 20.0)
    assert (s.total, s.answered) == (45.0, (8, 9, 3))  # 90 / 200
    assert ffi_score(items=items, method="subscale_mean").total == 40.0  # (60 + 40 + 20) / 3
    # Counting N/A as 0 would have given pain 48/90 = 53.33: the answered items alone set the maximum.
    assert s.pain != pytest.approx(53.33, abs=0.01)


def test_ffi_subscale_mostly_not_applicable_is_not_scorable() -> None:
    with pytest.raises(NotScorable, match="activity limitation: 3 of 5 items not applicable"):
        ffi_score(items=[1] * 18 + [None, None, None, 1, 1])
    assert ffi_score(items=[1] * 18 + [None, None, 1, 1, 1]).activity_limitation == 10.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"items": [1] * 22}, "takes 23 items"),
        ({"items": [1] * 22 + [11]}, "item 23: 11"),
        ({"items": ALL_ANSWERED, "method": "median"}, "method must be one of pooled, subscale_mean"),
        ({"items": [1] * 22 + [True]}, "finite number"),
    ],
)
def test_ffi_bad_input(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ffi_score(**kwargs)
