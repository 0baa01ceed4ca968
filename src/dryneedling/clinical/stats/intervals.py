"""Confidence intervals for a proportion (Wilson score) and for a mean (Student t)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats as _scipy

WILSON_SOURCE = (
    "Wilson EB. Probable inference, the law of succession, and statistical inference. "
    "J Am Stat Assoc 1927;22:209-212; recommended over the Wald interval by Brown, Cai & DasGupta, "
    "Stat Sci 2001;16:101-133"
)
T_SOURCE = "Student t interval for a mean: mean ± t(0.975, n−1) × SD/√n (Student, Biometrika 1908;6:1-25)"


def z_for(level: float) -> float:
    """The two-sided standard normal quantile for a confidence level (0.95 → 1.95996...)."""
    return float(_scipy.norm.ppf(0.5 + level / 2))


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval. `low`/`high` are None when the data cannot give one
    (no denominator; one value for a mean); `note` then says why in words."""

    estimate: float | None
    low: float | None
    high: float | None
    n: int
    level: float
    method: str
    source: str
    note: str = ""


def wilson_interval(events: int, n: int, level: float = 0.95) -> Interval:
    """Wilson score interval for `events` out of `n`. Stays inside [0, 1] and is sensible at 0/n and n/n,
    where the Wald interval collapses to a point."""
    if n < 0 or events < 0 or events > n:
        raise ValueError(f"need 0 ≤ events ≤ n, got {events}/{n}")
    if n == 0:
        return Interval(None, None, None, 0, level, "Wilson score", WILSON_SOURCE, "No cases: no rate to estimate.")
    z = z_for(level)
    p = events / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = (z / denominator) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if events == 0 else max(0.0, centre - half)
    high = 1.0 if events == n else min(1.0, centre + half)
    return Interval(p, low, high, n, level, "Wilson score", WILSON_SOURCE)


def mean_interval(values: Sequence[float], level: float = 0.95) -> Interval:
    """The mean of `values` with a Student t interval (sample SD, n − 1 degrees of freedom)."""
    n = len(values)
    if n == 0:
        return Interval(None, None, None, 0, level, "Student t", T_SOURCE, "No values: no mean.")
    mean = math.fsum(values) / n
    if n == 1:
        return Interval(mean, None, None, 1, level, "Student t", T_SOURCE, "One value: no interval.")
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    return mean_interval_from_summary(n, mean, sd, level)


def mean_interval_from_summary(n: int, mean: float | None, sd: float | None, level: float = 0.95) -> Interval:
    """The same interval from a count, a mean and a sample SD (n − 1 denominator) that SQL has
    aggregated (`Avg`, `StdDev(sample=True)`), so the rows never leave the database."""
    if n == 0 or mean is None:
        return Interval(None, None, None, 0, level, "Student t", T_SOURCE, "No values: no mean.")
    if n == 1 or sd is None:
        return Interval(mean, None, None, n, level, "Student t", T_SOURCE, "One value: no interval.")
    half = float(_scipy.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n, level, "Student t", T_SOURCE)
