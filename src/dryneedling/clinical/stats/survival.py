"""Kaplan–Meier estimate of time to first response (first MCID response), with censoring, fitted
with lifelines (KaplanMeierFitter; Greenwood-based exponential 95% intervals).

Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat Assoc
1958;53:457-481. Davidson-Pilon C. lifelines: survival analysis in Python. J Open Source Softw
2019;4(40):1317.

"Survival" here is the proportion of episodes not yet responded; `responded` is 1 − survival. An
episode without a response is censored at its last score: it counts as at risk up to that day only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from lifelines import KaplanMeierFitter

KM_SOURCE = (
    "Kaplan EL, Meier P. J Am Stat Assoc 1958;53:457-481 (estimated with lifelines, "
    "Davidson-Pilon C. J Open Source Softw 2019;4:1317)"
)


@dataclass(frozen=True)
class KaplanMeierRow:
    time: float
    at_risk: int
    events: int
    censored: int
    survival: float
    low: float | None
    high: float | None

    @property
    def responded(self) -> float:
        return 1 - self.survival


@dataclass(frozen=True)
class KaplanMeierResult:
    """`median` is the first time the estimate falls to 0.5 or below; None ("not reached") when it
    never does. `table` has one row per distinct time at which an event or censoring happened."""

    n: int
    events: int
    median: float | None
    median_low: float | None
    median_high: float | None
    table: list[KaplanMeierRow]
    source: str = KM_SOURCE
    note: str = ""


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def kaplan_meier(durations: Sequence[float], observed: Sequence[bool]) -> KaplanMeierResult:
    """Kaplan–Meier over `durations` (e.g. days from the first session) where `observed[i]` is True
    for a response at that time and False for an episode censored then."""
    if len(durations) != len(observed):
        raise ValueError("one observed flag per duration is needed")
    if any(d < 0 for d in durations):
        raise ValueError("durations cannot be negative")
    n = len(durations)
    events = sum(1 for o in observed if o)
    if n == 0:
        return KaplanMeierResult(0, 0, None, None, None, [], note="No episodes.")
    fitter = KaplanMeierFitter(alpha=0.05)
    fitter.fit(list(durations), event_observed=[bool(o) for o in observed])
    median = _finite(fitter.median_survival_time_)
    median_low = median_high = None
    if median is not None:
        from lifelines.utils import median_survival_times

        bounds = median_survival_times(fitter.confidence_interval_)
        median_low, median_high = (_finite(float(v)) for v in bounds.iloc[0])
    table_frame = fitter.event_table
    survival = fitter.survival_function_.iloc[:, 0]
    ci = fitter.confidence_interval_
    rows = []
    for time, row in table_frame.iterrows():
        if time == 0 and row["observed"] == 0 and row["censored"] == 0:
            continue  # lifelines' own starting row
        rows.append(
            KaplanMeierRow(
                float(time),
                int(row["at_risk"]),
                int(row["observed"]),
                int(row["censored"]),
                float(survival.loc[time]),
                _finite(float(ci.iloc[:, 0].loc[time])),
                _finite(float(ci.iloc[:, 1].loc[time])),
            )
        )
    note = "" if events else "No responses yet: the median is not reached."
    return KaplanMeierResult(n, events, median, median_low, median_high, rows, note=note)
