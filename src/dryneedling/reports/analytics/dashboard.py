"""The dashboard's sections: each chart's figures, its SVG and the rows of its CSV, by name.

`figures_for` computes every section once (a constant number of queries: see the selectors'
modules). The page, each chart's SVG and each CSV read those figures as stored for their filters
(`reports.analytics.stored`): an image or a download shows the stored set whatever its age, the
numbers of the page beside it, and computes only when nothing is stored. The list of serious side
effects is read live on every page view (one indexed query).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dryneedling.accounts.models import Membership, User
from dryneedling.accounts.permissions import ANALYTICS, require
from dryneedling.reports.analytics import charts
from dryneedling.reports.analytics.filters import Filters
from dryneedling.reports.analytics.outcomes import (
    ResponseRate,
    WindowOutcome,
    check_in_response_rates,
    outcomes_by_window,
)
from dryneedling.reports.analytics.safety import RateRow, SafetyMonitor, safety_monitor, side_effect_rates
from dryneedling.reports.analytics.soreness import SorenessFigures, soreness_by_technique

CHARTS = ("outcomes", "side-effects", "funnel", "cusum", "soreness", "check-ins")


@dataclass(frozen=True)
class Figures:
    """Every chart's numbers for one set of filters: aggregates only, what is stored."""

    outcomes: list[WindowOutcome]
    side_effects: list[RateRow]
    monitor: SafetyMonitor
    soreness: SorenessFigures
    check_ins: list[ResponseRate]


def figures_for(filters: Filters) -> Figures:
    return Figures(
        outcomes=outcomes_by_window(filters),
        side_effects=side_effect_rates(filters),
        monitor=safety_monitor(filters),
        soreness=soreness_by_technique(filters),
        check_ins=check_in_response_rates(filters),
    )


SECTION: dict[str, Callable[[Figures], Any]] = {
    "outcomes": lambda f: f.outcomes,
    "side-effects": lambda f: f.side_effects,
    "funnel": lambda f: f.monitor,
    "cusum": lambda f: f.monitor,
    "soreness": lambda f: f.soreness,
    "check-ins": lambda f: f.check_ins,
}
SVG: dict[str, Callable[[Any], str]] = {
    "outcomes": charts.outcomes_svg,
    "side-effects": charts.side_effects_svg,
    "funnel": charts.funnel_svg,
    "cusum": charts.cusum_svg,
    "soreness": charts.soreness_svg,
    "check-ins": charts.check_ins_svg,
}


def analytics_clinic_for(*, actor: User) -> Membership:
    """The actor's membership, if their roles may read the clinic's analytics (refused in words)."""
    return require(actor=actor, capability=ANALYTICS)


def clinicians_of(*, membership: Membership) -> list[tuple[int, str]]:
    """The clinic's clinicians (id, name) for the clinician filter: staff, never patients."""
    rows = (
        Membership.objects.filter(clinic_id=membership.clinic_id, is_clinician=True)
        .order_by("user__full_name", "user_id")
        .values_list("user_id", "user__full_name")
    )
    return [(int(user_id), str(name)) for user_id, name in rows]


@dataclass(frozen=True)
class Dashboard:
    """What the page shows: the stored figures for its filters and the live serious side effects."""

    figures: Figures
    serious: list[dict[str, Any]]
    computed_at: datetime
    seconds: float  # how long computing the figures took
    max_age_minutes: int
    limited: bool = False  # older than the maximum age: the clinic's limit of computations was reached

    @property
    def outcomes(self) -> list[WindowOutcome]:
        return self.figures.outcomes

    @property
    def side_effects(self) -> list[RateRow]:
        return self.figures.side_effects

    @property
    def monitor(self) -> SafetyMonitor:
        return self.figures.monitor

    @property
    def soreness(self) -> SorenessFigures:
        return self.figures.soreness

    @property
    def check_ins(self) -> list[ResponseRate]:
        return self.figures.check_ins

    def counts(self) -> dict[str, int]:
        """What the audit row records: counts only."""
        return {
            "sessions": sum(c.sessions for c in self.monitor.clinicians),
            "scores": sum(r.scores for r in self.outcomes),
            "serious": len(self.serious),
            "soreness_readings": self.soreness.readings,
            "check_ins_due": sum(r.due for r in self.check_ins),
        }


def _f(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def csv_rows(chart: str, figures: Any) -> Iterable[Sequence[Any]]:
    """The numbers behind a chart, header first (rates as proportions, intervals at 95%)."""
    if chart == "outcomes":
        yield ["window", "episodes", "scores", "mean_change_nprs", "ci_low", "ci_high", "responders", "judged",
               "responder_rate", "rate_ci_low", "rate_ci_high", "published_pooled_effect", "source"]  # fmt: skip
        for r in figures:
            c, p = r.change, r.responder_rate
            yield [r.window.label, r.episodes, r.scores, _f(c.estimate), _f(c.low), _f(c.high), r.responders,
                   r.judged, _f(p.estimate), _f(p.low), _f(p.high), r.published, r.source]  # fmt: skip
    elif chart == "side-effects":
        yield ["side_effect", "per", "with_side_effect", "denominator", "rate", "ci_low", "ci_high", "published"]
        for r in figures:
            published = " | ".join(f"{p.text} ({p.citation})" for p in r.published)
            yield [r.label, r.per, r.events, r.n, _f(r.rate.estimate), _f(r.rate.low), _f(r.rate.high), published]
    elif chart == "funnel":
        yield ["clinician", "sessions", "with_side_effect", "rate", "clinic_rate", "lower_998", "lower_95", "upper_95",
               "upper_998", "position"]  # fmt: skip
        from dryneedling.clinical.stats import funnel_limits

        for c in figures.clinicians:
            lim = funnel_limits(c.sessions, figures.clinic_rate).limits if figures.clinic_rate is not None else {}
            cells = [_f(lim[lv][i]) if lim else "" for lv, i in ((0.998, 0), (0.95, 0), (0.95, 1), (0.998, 1))]
            yield [c.name, c.sessions, c.with_effect, _f(c.rate.estimate), _f(figures.clinic_rate), *cells, c.position]
    elif chart == "cusum":
        yield ["clinician", "sessions", "serious", "expected_risk", "odds_ratio", "limit", "highest", "signals_at_case"]
        for c in figures.clinicians:
            s = c.cusum
            if s is None:
                continue
            signals = " ".join(str(i + 1) for i in s.signals)
            yield [c.name, c.sessions, c.serious, _f(figures.expected_serious, 5), s.odds_ratio, s.limit,
                   _f(s.highest), signals]  # fmt: skip
    elif chart == "soreness":
        yield ["technique", "hours", "readings", "mean_soreness", "ci_low", "ci_high"]
        for r in figures.rows:
            yield [r.label, r.hours, r.readings, _f(r.mean.estimate), _f(r.mean.low), _f(r.mean.high)]
    elif chart == "check-ins":
        yield ["check_in", "due", "answered", "rate", "ci_low", "ci_high"]
        for r in figures:
            yield [r.label, r.due, r.answered, _f(r.rate.estimate), _f(r.rate.low), _f(r.rate.high)]
