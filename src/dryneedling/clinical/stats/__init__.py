"""Statistics for the clinic's outcome and safety analytics (issue 12), pure Python: no Django.

Each module takes plain numbers (counts, lists) that the reports layer has aggregated in SQL and
returns frozen dataclasses that name their method and source, so a figure shown to a clinician can
say where its interval or limit comes from (docs/decisions.md, "issue 12 — statistics layer").

- `intervals`: Wilson score interval for a proportion; mean with a Student t interval.
- `funnel`: funnel-plot control limits for a proportion (Spiegelhalter 2005).
- `cusum`: Bernoulli CUSUM for serious events (Steiner et al. 2000).
- `logistic`: multivariable logistic regression with odds ratios (statsmodels).
- `survival`: Kaplan–Meier time to first response (lifelines).
"""

from __future__ import annotations

from dryneedling.clinical.stats.cusum import CusumResult, bernoulli_cusum, limit_for_false_alarm
from dryneedling.clinical.stats.funnel import FunnelLimits, funnel_limits, funnel_position
from dryneedling.clinical.stats.intervals import Interval, mean_interval, mean_interval_from_summary, wilson_interval
from dryneedling.clinical.stats.logistic import LogisticResult, OddsRatio, fit_logistic
from dryneedling.clinical.stats.survival import KaplanMeierResult, kaplan_meier

__all__ = [
    "CusumResult",
    "FunnelLimits",
    "Interval",
    "KaplanMeierResult",
    "LogisticResult",
    "OddsRatio",
    "bernoulli_cusum",
    "fit_logistic",
    "funnel_limits",
    "funnel_position",
    "kaplan_meier",
    "limit_for_false_alarm",
    "mean_interval",
    "mean_interval_from_summary",
    "wilson_interval",
]
