"""The figures of "What predicts response", from the per-episode rows of `features`.

- Responder rates (Wilson 95% CI) by baseline pain band, trigger points treated, technique, twitch
  responses and number of sessions, for episodes with a 4–12-week pain score carrying a verdict.
- A multivariable logistic model of the same factors (odds ratios, 95% CIs; statsmodels), which
  refuses in words when the data cannot support it.
- Kaplan–Meier time from the first session to the first MCID response, by condition (lifelines).

The rows come from one query; the grouping and the fits run in Python on those rows (the model
needs them as vectors anyway): docs/decisions.md, "issue 12 — what predicts response".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dryneedling.clinical.stats import (
    Interval,
    KaplanMeierResult,
    LogisticResult,
    fit_logistic,
    kaplan_meier,
    wilson_interval,
)
from dryneedling.clinical.stats.logistic import indicator_columns
from dryneedling.reports.response.features import EpisodeFeatures

PAIN_BANDS = (("0–3", 0, 3), ("4–6", 4, 6), ("7–10", 7, 10))
POINT_BANDS = (("1–2", 1, 2), ("3–5", 3, 5), ("6+", 6, 10**6))
SESSION_BANDS = (("1", 1, 1), ("2–3", 2, 3), ("4+", 4, 10**6))
TECHNIQUE_LABELS = {"pistoning": "Pistoning", "static": "Static", "electrical": "Electrical"}
REFERENCE_TECHNIQUE = "pistoning"
CONDITIONS_SHOWN = 5  # the most frequent condition groups get a curve; the rest are pooled
RESPONSE_RULE = (
    "Responder: the first pain (NPRS) score of the 4–12-week check-ins improved by at least the MCID in "
    "the clinic's rule stored with the score (issue 11; default 2 points, Farrar 2001, Childs 2005)."
)
WINDOW_SOURCE = "Time windows of the pooled evidence: Sánchez-Infante J et al. Phys Ther 2021;101:pzab070"


def band_of(value: float | None, bands: Sequence[tuple[str, float, float]]) -> int | None:
    """The index of the band holding `value` (None: no value, or outside every band)."""
    if value is None:
        return None
    for index, (_, low, high) in enumerate(bands):
        if low <= value <= high:
            return index
    return None


@dataclass(frozen=True)
class RateRow:
    factor: str
    group: str
    responders: int
    interval: Interval

    @property
    def n(self) -> int:
        return self.interval.n


@dataclass(frozen=True)
class Curve:
    label: str
    result: KaplanMeierResult


@dataclass(frozen=True)
class ResponseFigures:
    treated: int  # episodes with a completed session
    judged: int  # of them, with a 4–12-week pain score carrying a verdict
    rates: list[RateRow]
    model: LogisticResult
    modelled: int  # episodes entering the model (a baseline and a technique as well)
    curves: list[Curve]
    rule: str = RESPONSE_RULE
    window_source: str = WINDOW_SOURCE
    notes: list[str] = field(default_factory=list)


Grouper = Callable[[EpisodeFeatures], str | None]


def _labelled(bands: Sequence[tuple[str, float, float]], value: Callable[[EpisodeFeatures], float | None]) -> Grouper:
    def group(row: EpisodeFeatures) -> str | None:
        index = band_of(value(row), bands)
        return None if index is None else bands[index][0]

    return group


FACTORS: tuple[tuple[str, Grouper, tuple[str, ...]], ...] = (
    ("Baseline pain (NPRS)", _labelled(PAIN_BANDS, lambda r: r.baseline_pain), tuple(b[0] for b in PAIN_BANDS)),
    ("Trigger points treated", _labelled(POINT_BANDS, lambda r: r.trigger_points), tuple(b[0] for b in POINT_BANDS)),
    (
        "Technique (most insertions)",
        lambda r: TECHNIQUE_LABELS.get(r.technique),
        tuple(TECHNIQUE_LABELS.values()),
    ),
    ("Twitch responses obtained", lambda r: "Any" if r.twitches > 0 else "None", ("None", "Any")),
    ("Sessions", _labelled(SESSION_BANDS, lambda r: r.sessions), tuple(b[0] for b in SESSION_BANDS)),
)


def responder_rates(rows: Sequence[EpisodeFeatures]) -> list[RateRow]:
    """Per factor and group, responders of the episodes with a 4–12-week verdict (Wilson 95% CI).
    Every group is listed, an empty one with n = 0 and no rate."""
    out = []
    for factor, group_of, groups in FACTORS:
        counts: Counter[str] = Counter()
        hits: Counter[str] = Counter()
        for row in rows:
            group = group_of(row)
            if group is None or row.responder is None:
                continue
            counts[group] += 1
            hits[group] += int(row.responder)
        for group in groups:
            out.append(RateRow(factor, group, hits[group], wilson_interval(hits[group], counts[group])))
    return out


def response_model(rows: Sequence[EpisodeFeatures]) -> tuple[LogisticResult, int, list[str]]:
    """Responder ~ baseline pain band + trigger-point band + twitch (any) + session band + technique
    (indicators against pistoning). Bands enter as steps (odds ratio per band higher)."""
    used = [
        r
        for r in rows
        if r.responder is not None
        and band_of(r.baseline_pain, PAIN_BANDS) is not None
        and band_of(r.trigger_points, POINT_BANDS) is not None
        and r.technique
    ]
    predictors: dict[str, list[float]] = {
        "Baseline pain, per band higher": [float(band_of(r.baseline_pain, PAIN_BANDS) or 0) for r in used],
        "Trigger points, per band higher": [float(band_of(r.trigger_points, POINT_BANDS) or 0) for r in used],
        "Twitch responses (any vs none)": [1.0 if r.twitches > 0 else 0.0 for r in used],
        "Sessions, per band higher": [float(band_of(r.sessions, SESSION_BANDS) or 0) for r in used],
    }
    techniques = indicator_columns([r.technique for r in used], REFERENCE_TECHNIQUE, "Technique")
    predictors |= {f"{name} (vs pistoning)": column for name, column in techniques.items()}
    # A predictor that does not vary in this clinic's data says nothing: it is left out, in words.
    constant = [name for name, column in predictors.items() if len(set(column)) < 2] if used else []
    kept = {name: column for name, column in predictors.items() if name not in constant}
    notes = [f"Left out of the model: {name} is the same for every episode." for name in constant]
    return fit_logistic([bool(r.responder) for r in used], kept), len(used), notes


def condition_group(code: str) -> str:
    """ICD-10-CM codes grouped to their subcategory (M54.50 and M54.59 → M54.5)."""
    return code[:5] if code else ""


def response_curves(rows: Sequence[EpisodeFeatures]) -> list[Curve]:
    """Kaplan–Meier of whole days from the first session to the first score judged a response,
    censored at the last judged score; the most frequent condition groups, then the rest pooled."""
    timed = [r for r in rows if r.first_session_at is not None and r.last_verdict_at is not None]
    groups = Counter(condition_group(r.condition_code) for r in timed)
    shown = [g for g, _ in groups.most_common() if g][:CONDITIONS_SHOWN]
    names: dict[str, str] = {}
    for r in timed:
        names.setdefault(condition_group(r.condition_code), r.condition_text)
    curves = []
    for label, members in [
        *((f"{g} ({names[g]})", [r for r in timed if condition_group(r.condition_code) == g]) for g in shown),
        ("Other or no code", [r for r in timed if condition_group(r.condition_code) not in shown]),
    ]:
        if not members:
            continue
        durations, observed = [], []
        for r in members:
            assert r.first_session_at is not None and r.last_verdict_at is not None
            end = r.first_response_at or r.last_verdict_at
            durations.append(float(max(0, (end - r.first_session_at).days)))  # whole days: one step a day at most
            observed.append(r.first_response_at is not None)
        curves.append(Curve(label, kaplan_meier(durations, observed)))
    return curves


NOT_DRAWN = LogisticResult(0, 0, [], False, ["Not computed for this chart."])
ALL_PARTS = frozenset({"rates", "forest", "time-to-response"})


def response_figures(rows: Sequence[EpisodeFeatures], parts: frozenset[str] = ALL_PARTS) -> ResponseFigures:
    """The figures; `parts` (chart names) limits the work to what one chart or CSV needs."""
    model, modelled, notes = response_model(rows) if "forest" in parts else (NOT_DRAWN, 0, [])
    return ResponseFigures(
        treated=len(rows),
        judged=sum(1 for r in rows if r.responder is not None),
        rates=responder_rates(rows) if "rates" in parts else [],
        model=model,
        modelled=modelled,
        curves=response_curves(rows) if "time-to-response" in parts else [],
        notes=notes,
    )
