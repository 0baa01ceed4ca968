"""Multivariable logistic regression for "what predicts response", fitted with statsmodels (Logit,
Newton–Raphson maximum likelihood; Wald 95% intervals exponentiated to odds ratios).

It never raises on awkward data: too few cases, an outcome that never or always happens, perfect or
quasi-complete separation, a singular design (collinear or constant predictors) and non-convergence
come back as `problems`, in words, and no odds ratios are reported from a fit that failed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    HessianInversionWarning,
    PerfectSeparationError,
    PerfectSeparationWarning,
)

LOGISTIC_SOURCE = (
    "Logistic regression by maximum likelihood (statsmodels Logit; Seabold & Perktold, Proc SciPy 2010); "
    "at least 10 events per predictor (Peduzzi P et al. J Clin Epidemiol 1996;49:1373-1379)"
)
OBSERVATIONAL = (
    "Observational data from this clinic: these odds ratios describe associations, not effects of "
    "treatment choices; patients were not randomised and unmeasured differences may explain them."
)
EVENTS_PER_PREDICTOR = 10
HUGE_LOG_ODDS = 10.0  # an odds ratio beyond e^10 ≈ 22,000 is a sign of (quasi-)separation, not a finding


@dataclass(frozen=True)
class OddsRatio:
    name: str
    odds_ratio: float
    low: float
    high: float
    p_value: float


@dataclass(frozen=True)
class LogisticResult:
    """`terms` is empty when the model could not be fitted; `problems` says why. `warnings` are
    cautions on a fit that did produce estimates (few events per predictor)."""

    n: int
    events: int
    terms: list[OddsRatio]
    converged: bool
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    caution: str = OBSERVATIONAL
    source: str = LOGISTIC_SOURCE

    @property
    def fitted(self) -> bool:
        return bool(self.terms) and not self.problems


def indicator_columns(values: Sequence[str], reference: str, prefix: str) -> dict[str, list[float]]:
    """0/1 columns for a categorical predictor, one per level other than `reference`
    (e.g. technique: "fast-in fast-out" against "static")."""
    levels = sorted({v for v in values if v != reference})
    return {f"{prefix}: {level}": [1.0 if v == level else 0.0 for v in values] for level in levels}


def _failed(n: int, events: int, problem: str) -> LogisticResult:
    return LogisticResult(n, events, [], False, [problem])


def fit_logistic(outcome: Sequence[int | bool], predictors: Mapping[str, Sequence[float]]) -> LogisticResult:
    """Fit P(outcome = 1) = logistic(b0 + Σ b_k x_k) and report exp(b_k) with 95% CIs per predictor."""
    n = len(outcome)
    y = np.asarray([1.0 if v else 0.0 for v in outcome])
    events = int(y.sum())
    names = list(predictors)
    if any(len(predictors[name]) != n for name in names):
        raise ValueError("every predictor needs one value per case")
    if not names:
        return _failed(n, events, "No predictors were given.")
    if n <= len(names) + 1:
        return _failed(n, events, f"Too few cases ({n}) for {len(names)} predictors.")
    if events in (0, n):
        return _failed(n, events, "The outcome is the same for every case, so nothing can predict it.")
    constant = [name for name in names if len(set(predictors[name])) < 2]
    if constant:
        return _failed(n, events, f"No variation in {', '.join(constant)}: it cannot be estimated.")
    x = sm.add_constant(np.column_stack([np.asarray(predictors[name], dtype=float) for name in names]))
    if np.linalg.matrix_rank(x) < x.shape[1]:
        return _failed(n, events, "Some predictors are combinations of others (collinear): they cannot be told apart.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.Logit(y, x).fit(disp=False, maxiter=100)
        except PerfectSeparationError:
            return _failed(n, events, _separation_words(names))
        except np.linalg.LinAlgError:
            return _failed(n, events, "The model could not be fitted (singular information matrix).")
    kinds = {type(w.message) for w in caught if isinstance(w.message, Warning)}
    converged = bool(fit.mle_retvals.get("converged", False))
    params, bse = np.asarray(fit.params), np.asarray(fit.bse)
    problems: list[str] = []
    if PerfectSeparationWarning in kinds or (np.abs(params[1:]) > HUGE_LOG_ODDS).any() or not np.isfinite(bse).all():
        problems.append(_separation_words(names))
    elif not converged or ConvergenceWarning in kinds or HessianInversionWarning in kinds:
        problems.append("The model did not converge: its estimates are not reliable and are not shown.")
    if problems:
        return LogisticResult(n, events, [], converged, problems)
    low, high = np.asarray(fit.conf_int(alpha=0.05)).T
    pvalues = np.asarray(fit.pvalues)
    terms = [
        OddsRatio(name, math.exp(params[i]), math.exp(low[i]), math.exp(high[i]), float(pvalues[i]))
        for i, name in enumerate(names, start=1)
    ]
    cautions = []
    fewer = min(events, n - events)
    if fewer < EVENTS_PER_PREDICTOR * len(names):
        cautions.append(
            f"Only {fewer} cases in the smaller outcome group for {len(names)} predictors "
            f"(fewer than {EVENTS_PER_PREDICTOR} per predictor): the odds ratios may be biased and unstable."
        )
    return LogisticResult(n, events, terms, converged, [], cautions)


def _separation_words(names: Sequence[str]) -> str:
    return (
        f"Separation: the predictors ({', '.join(names)}), alone or together, split responders from "
        "non-responders almost perfectly, so an odds ratio is infinite or unstable and the model is not "
        "shown. More cases or fewer predictors are needed."
    )
