"""The numbers behind each chart of "What predicts response", as a header and rows: the same rows
fill the table beside the chart and its CSV download, and a sentence describes each chart for
readers who cannot see it (the image's text alternative)."""

from __future__ import annotations

from dataclasses import dataclass

from dryneedling.reports.response.figures import ResponseFigures

CHARTS = ("rates", "forest", "time-to-response")
# The CSV's column names in words, for the table on the page
WORDS = {
    "factor": "Factor",
    "group": "Group",
    "episodes": "Episodes",
    "responders": "Responders",
    "rate_percent": "Responders, %",
    "ci_low_percent": "95% CI from, %",
    "ci_high_percent": "95% CI to, %",
    "term": "Predictor",
    "odds_ratio": "Odds ratio",
    "ci_low": "95% CI from",
    "ci_high": "95% CI to",
    "p_value": "p",
    "condition": "Condition",
    "day": "Day",
    "at_risk": "At risk",
    "responses": "Responses",
    "censored": "Censored",
    "responded_percent": "Responded, %",
}


@dataclass(frozen=True)
class Table:
    chart: str
    title: str
    header: list[str]
    rows: list[list[str | int | float | None]]
    summary: str  # the chart's text alternative

    @property
    def labels(self) -> list[str]:
        return [WORDS.get(name, name) for name in self.header]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def rates_table(figures: ResponseFigures) -> Table:
    rows: list[list[str | int | float | None]] = [
        [r.factor, r.group, r.n, r.responders, _pct(r.interval.estimate), _pct(r.interval.low), _pct(r.interval.high)]
        for r in figures.rates
    ]
    parts = [
        f"{r.factor} {r.group}: {r.responders} of {r.n}"
        + (f" ({_pct(r.interval.estimate)}%, 95% CI {_pct(r.interval.low)}–{_pct(r.interval.high)}%)" if r.n else "")
        for r in figures.rates
    ]
    summary = (
        f"Responder rate with Wilson 95% confidence interval by group, {figures.judged} episodes with a "
        f"4–12-week pain score. " + "; ".join(parts) + "."
    )
    header = ["factor", "group", "episodes", "responders", "rate_percent", "ci_low_percent", "ci_high_percent"]
    return Table("rates", "Responder rate by group", header, rows, summary)


def forest_table(figures: ResponseFigures) -> Table:
    model = figures.model
    rows: list[list[str | int | float | None]] = [
        [t.name, round(t.odds_ratio, 3), round(t.low, 3), round(t.high, 3), round(t.p_value, 4), model.n, model.events]
        for t in model.terms
    ]
    if model.fitted:
        summary = (
            f"Forest plot of odds ratios of response with 95% confidence intervals, {model.n} episodes, "
            f"{model.events} responders. "
            + "; ".join(f"{t.name}: {t.odds_ratio:.2f} ({t.low:.2f}–{t.high:.2f})" for t in model.terms)
            + ". An odds ratio above 1 goes with more response."
        )
    else:
        summary = "No model: " + " ".join(model.problems)
    header = ["term", "odds_ratio", "ci_low", "ci_high", "p_value", "episodes", "responders"]
    return Table("forest", "Odds ratios of response (multivariable logistic model)", header, rows, summary)


def time_table(figures: ResponseFigures) -> Table:
    rows: list[list[str | int | float | None]] = []
    parts = []
    for curve in figures.curves:
        km = curve.result
        for row in km.table:
            # lifelines' interval is for the share not yet responded (S); responded = 1 − S
            low = None if row.high is None else 1 - row.high
            high = None if row.low is None else 1 - row.low
            cells: list[str | int | float | None] = [curve.label, round(row.time, 1), row.at_risk, row.events]
            rows.append([*cells, row.censored, _pct(row.responded), _pct(low), _pct(high)])
        median = "not reached" if km.median is None else f"{km.median:.0f} days"
        parts.append(f"{curve.label}: {km.events} responses of {km.n} episodes, median {median}")
    summary = (
        "Step curves of the share of episodes with a first MCID response by days since the first session "
        "(Kaplan–Meier). " + ("; ".join(parts) if parts else "No episode has a judged score yet") + "."
    )
    header = ["condition", "day", "at_risk", "responses", "censored", "responded_percent"]
    header += ["ci_low_percent", "ci_high_percent"]
    return Table("time-to-response", "Time to first MCID response by condition", header, rows, summary)


def tables(figures: ResponseFigures) -> dict[str, Table]:
    return {"rates": rates_table(figures), "forest": forest_table(figures), "time-to-response": time_table(figures)}
