"""Funnel-plot control limits for a proportion around a target (the clinic's) rate.

Method (default "exact"): Spiegelhalter DJ. Funnel plots for comparing institutional performance.
Stat Med 2005;24:1185-1202, Appendix A.1.1. For a denominator n and target rate θ, the p-quantile
of Binomial(n, θ) is r_p, the smallest r with P(R ≤ r) ≥ p; the limit is interpolated as
(r_p − α)/n with α = (P(R ≤ r_p) − p) / (P(R ≤ r_p) − P(R ≤ r_p − 1)), which draws a smooth funnel
through the discrete distribution. The "normal" method is the approximation θ ± z √(θ(1−θ)/n) of
the same paper (Section 3.1), kept for comparison: it is poor for small n or rates near 0.

Limits at 95% (p = 0.025, 0.975) and 99.8% (p = 0.001, 0.999), the two the paper recommends
("2 and 3 standard deviations"). A unit is flagged by comparing its observed proportion r/n with
the limits at its own n, as on the plot. With small denominators the discreteness of the binomial
makes the nominal levels approximate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scipy import stats as _scipy

from dryneedling.clinical.stats.intervals import z_for

_PAPER = "Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med 2005;24:1185-1202"
FUNNEL_SOURCE = f"{_PAPER} (exact binomial limits with interpolation, Appendix A.1.1)"
NORMAL_SOURCE = f"{_PAPER} (normal approximation to the binomial, Section 3.1)"
LEVELS = (0.95, 0.998)

Method = Literal["exact", "normal"]


@dataclass(frozen=True)
class FunnelLimits:
    """Control limits at one denominator: `limits[level] = (lower, upper)` as proportions."""

    n: int
    target: float
    limits: dict[float, tuple[float, float]]
    method: str
    source: str


def _exact_quantile(p: float, n: int, target: float) -> float:
    r_p = float(_scipy.binom.ppf(p, n, target))
    at = float(_scipy.binom.cdf(r_p, n, target))
    below = float(_scipy.binom.cdf(r_p - 1, n, target))
    alpha = (at - p) / (at - below) if at > below else 0.0
    return (r_p - alpha) / n


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def funnel_limits(n: int, target: float, levels: tuple[float, ...] = LEVELS, method: Method = "exact") -> FunnelLimits:
    """The lower and upper control limits (proportions) at denominator `n` around `target`."""
    if n <= 0:
        raise ValueError("a funnel limit needs a denominator of at least 1")
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"the target rate must be a proportion, got {target}")
    limits: dict[float, tuple[float, float]] = {}
    for level in levels:
        tail = (1 - level) / 2
        if target in (0.0, 1.0):  # a degenerate distribution: every unit should sit on the target
            limits[level] = (target, target)
        elif method == "exact":
            limits[level] = (_clip(_exact_quantile(tail, n, target)), _clip(_exact_quantile(1 - tail, n, target)))
        else:
            half = z_for(level) * (target * (1 - target) / n) ** 0.5
            limits[level] = (_clip(target - half), _clip(target + half))
    return FunnelLimits(n, target, limits, method, FUNNEL_SOURCE if method == "exact" else NORMAL_SOURCE)


def funnel_position(events: int, n: int, target: float, method: Method = "exact") -> str:
    """Where `events`/`n` falls: "above 99.8%", "above 95%", "within", "below 95%" or "below 99.8%"."""
    if n <= 0 or not 0 <= events <= n:
        raise ValueError(f"need 0 ≤ events ≤ n and n ≥ 1, got {events}/{n}")
    rate = events / n
    limits = funnel_limits(n, target, LEVELS, method).limits
    for level in sorted(LEVELS, reverse=True):
        lower, upper = limits[level]
        label = f"{level * 100:g}%"
        if rate > upper:
            return f"above {label}"
        if rate < lower:
            return f"below {label}"
    return "within"
