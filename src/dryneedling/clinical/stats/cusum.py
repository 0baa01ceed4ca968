"""Bernoulli CUSUM of serious events: the log-likelihood ratio CUSUM for a shift in the odds of an
event, risk-adjusted when each case carries its own expected risk.

Steiner SH, Cook RJ, Farewell VT, Treasure T. Monitoring surgical performance using risk-adjusted
cumulative sum charts. Biostatistics 2000;1:441-452; Spiegelhalter D, Grigg O, Kinsman R,
Treasure T. Risk-adjusted sequential probability ratio tests: applications to Bristol, Shipman and
adult cardiac surgery. Int J Qual Health Care 2003;15:7-13.

For case t with expected risk p_t and outcome y_t (1 = serious event), testing odds ratio R_A
(e.g. 2, a doubling of the odds) against R_0 = 1, the case adds the weight
    W_t = y_t log(R_A) − log(1 − p_t + R_A p_t)
and S_t = max(0, S_{t−1} + W_t). The chart signals when S_t ≥ h and then restarts from 0.
h trades false alarms against speed of detection (Steiner 2000 used h = 4.5 for R_A = 2);
`limit_for_false_alarm` chooses h for a stated in-control false-alarm probability over a number of cases.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CUSUM_SOURCE = (
    "Steiner SH et al. Monitoring surgical performance using risk-adjusted cumulative sum charts. "
    "Biostatistics 2000;1:441-452; Spiegelhalter D et al. Int J Qual Health Care 2003;15:7-13"
)
DEFAULT_ODDS_RATIO = 2.0
DEFAULT_LIMIT = 4.5


@dataclass(frozen=True)
class CusumResult:
    """The chart: `values[t]` is S_t after case t (at a signal, the value that crossed h; the next
    case starts again from 0); `signals` are the indices of the cases at which S_t reached h."""

    values: list[float]
    signals: list[int]
    odds_ratio: float
    limit: float
    source: str = CUSUM_SOURCE

    @property
    def alerted(self) -> bool:
        return bool(self.signals)


def event_weight(event: bool, risk: float, odds_ratio: float = DEFAULT_ODDS_RATIO) -> float:
    """The log-likelihood ratio weight one case adds (Steiner 2000, with R_0 = 1)."""
    shift = -math.log(1 - risk + odds_ratio * risk)
    return math.log(odds_ratio) + shift if event else shift


def bernoulli_cusum(
    events: Sequence[bool],
    risk: float | Sequence[float],
    odds_ratio: float = DEFAULT_ODDS_RATIO,
    limit: float = DEFAULT_LIMIT,
) -> CusumResult:
    """Run the CUSUM over cases in time order. `risk` is the expected event rate: one number (the
    clinic's rate, an unadjusted chart) or one per case (risk-adjusted)."""
    if isinstance(risk, int | float) and odds_ratio > 1 and limit > 0 and 0.0 < float(risk) < 1.0:
        return _constant_risk_cusum(events, float(risk), odds_ratio, limit)  # monitoring for a rise
    risks = [float(risk)] * len(events) if isinstance(risk, int | float) else [float(r) for r in risk]
    if len(risks) != len(events):
        raise ValueError("one expected risk per case is needed")
    if any(not 0.0 < r < 1.0 for r in risks):
        raise ValueError("expected risks must lie strictly between 0 and 1")
    if odds_ratio <= 0 or limit <= 0:
        raise ValueError("the odds ratio and the control limit must be positive")
    values: list[float] = []
    signals: list[int] = []
    s = 0.0
    for index, (event, r) in enumerate(zip(events, risks, strict=True)):
        s = max(0.0, s + event_weight(bool(event), r, odds_ratio))
        values.append(s)
        if s >= limit:
            signals.append(index)
            s = 0.0
    return CusumResult(values, signals, odds_ratio, limit)


def _constant_risk_cusum(events: Sequence[bool], risk: float, odds_ratio: float, limit: float) -> CusumResult:
    """The same chart for one expected risk and an odds ratio above 1 (a rise), a run of cases at a
    time: between two events each case adds the same negative weight, so S falls along a line
    floored at 0 (numpy), and only an event can reach the limit. Tens of thousands of sessions per
    clinician in milliseconds (issue 12)."""
    gain, loss = event_weight(True, risk, odds_ratio), event_weight(False, risk, odds_ratio)
    flags = np.asarray(events, dtype=bool)
    values = np.empty(len(flags))
    signals: list[int] = []
    s, start = 0.0, 0
    for index in [*np.flatnonzero(flags).tolist(), len(flags)]:
        run = index - start  # cases without an event before this one
        if run:
            values[start:index] = np.maximum(0.0, s + loss * np.arange(1, run + 1))
            s = float(values[index - 1])
        if index == len(flags):
            break
        s = max(0.0, s + gain)
        values[index] = s
        if s >= limit:
            signals.append(index)
            s = 0.0
        start = index + 1
    return CusumResult(values.tolist(), signals, odds_ratio, limit)


def limit_for_false_alarm(
    rate: float,
    cases: int,
    false_alarm: float = 0.05,
    odds_ratio: float = DEFAULT_ODDS_RATIO,
    runs: int = 4000,
    seed: int = 12,
) -> float:
    """The control limit h at which an in-control clinician (true rate = `rate`) would see a signal
    within `cases` cases with probability `false_alarm`, by seeded simulation of `runs` charts: the
    (1 − false_alarm) quantile of each simulated chart's highest value (a chart signals when its
    highest S reaches h). Steiner et al. 2000 chose h the same way, by run length in control."""
    if not 0.0 < rate < 1.0 or cases < 1 or not 0.0 < false_alarm < 1.0 or runs < 100:
        raise ValueError("need 0 < rate < 1, cases ≥ 1, 0 < false_alarm < 1 and runs ≥ 100")
    rng = np.random.default_rng(seed)
    up, down = event_weight(True, rate, odds_ratio), event_weight(False, rate, odds_ratio)
    s = np.zeros(runs)
    highest = np.zeros(runs)
    for _ in range(cases):
        s = np.maximum(0.0, s + np.where(rng.random(runs) < rate, up, down))
        np.maximum(highest, s, out=highest)
    return float(np.quantile(highest, 1 - false_alarm))
