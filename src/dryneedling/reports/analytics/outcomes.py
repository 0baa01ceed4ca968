"""Outcomes by time window after the course, and check-in response rates: SQL aggregates only.

Windows are those of the pooled evidence (Sanchez-Infante 2021: ≤ 72 h, 1–3 weeks, 4–12 weeks,
13–24 weeks after the last treatment; `clinical.outcome_windows`), counted from the episode's end
of course. Each episode counts once per window, by its last NPRS score there (recorded in the
period, if one is chosen): a patient who answers at 4 and at 12 weeks is one observation of the
4-12 week window, not two, so the intervals are not narrowed by repeated measures. The window,
baseline and responder flag of each score are stored beside it when it is written
(`OutcomeRecord.derive`), so the aggregate reads one covering index and no JSON (issue 12 speed).
One query for the windows, one for the response rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Avg as _Avg
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.outcome_windows import WINDOWS, Window
from dryneedling.clinical.stats import Interval, mean_interval_from_summary, wilson_interval
from dryneedling.followup.models import CheckIn, OutcomeRecord
from dryneedling.reports.analytics.filters import Filters, episode_treated_q, period_q, session_q

EVIDENCE_SOURCE = "sanchez_infante_2021"


@dataclass(frozen=True)
class WindowOutcome:
    window: Window
    episodes: int
    scores: int
    change: Interval  # NPRS follow-up minus baseline (negative = less pain)
    responders: int
    judged: int
    responder_rate: Interval
    published: str  # the pooled effect, e.g. "SMD −0.81 (−1.21 to −0.40)"
    published_statement: str
    source_id: str
    source: str


def _published(evidence_id: str) -> tuple[str, str]:
    statement = get_knowledge().evidence.get(evidence_id)
    if statement is None:
        return "", ""
    figures = "; ".join(f"{f.label} {f.value}" + (f" ({f.ci})" if f.ci else "") for f in statement.figures)
    return figures, statement.statement


def sample_sd(n: int, row: dict[str, Any]) -> float | None:
    """The sample SD from SQL's mean and mean square (SQLite has no STDDEV that accepts one value)."""
    if n < 2 or row.get("mean") is None or row.get("mean_sq") is None:
        return None
    return math.sqrt(max(0.0, (row["mean_sq"] - row["mean"] ** 2) * n / (n - 1)))


def outcomes_by_window(filters: Filters) -> list[WindowOutcome]:
    """Per window: episodes with a score, mean change in pain with a t interval, responder rate
    from the stored verdicts with a Wilson interval, beside the published pooled effect."""
    change = F("value") - F("baseline")
    scores = OutcomeRecord.objects.for_clinic(filters.clinic).filter(instrument_id="nprs")
    later = scores.filter(episode=OuterRef("episode"), window=OuterRef("window")).filter(
        Q(recorded_at__gt=OuterRef("recorded_at")) | Q(recorded_at=OuterRef("recorded_at"), pk__gt=OuterRef("pk"))
    )
    if filters.date_from or filters.date_to:  # the episode's last score inside the period
        later = later.filter(period_q(filters, "recorded_at"))
    rows = (
        scores.filter(window__in=[w.key for w in WINDOWS])
        .filter(episode_treated_q(filters), period_q(filters, "recorded_at"))
        .filter(~Exists(later.order_by()))
        .values("window")
        .annotate(
            episodes=Count("episode", distinct=True),
            scores=Count("id", filter=Q(baseline__isnull=False)),
            mean=_Avg(change, filter=Q(baseline__isnull=False)),
            mean_sq=_Avg(change * change, filter=Q(baseline__isnull=False)),
            responders=Count("id", filter=Q(responder=True)),
            judged=Count("id", filter=Q(responder__isnull=False)),
        )
        .order_by()
    )
    found: dict[str, dict[str, Any]] = {row["window"]: row for row in rows}
    source = get_knowledge().sources[EVIDENCE_SOURCE].citation
    result = []
    for window in WINDOWS:
        row = found.get(window.key, {})
        scores, judged, responders = row.get("scores", 0), row.get("judged", 0), row.get("responders", 0)
        figures, statement = _published(window.evidence_id)
        result.append(
            WindowOutcome(
                window=window,
                episodes=row.get("episodes", 0),
                scores=scores,
                change=mean_interval_from_summary(scores, row.get("mean"), sample_sd(scores, row)),
                responders=responders,
                judged=judged,
                responder_rate=wilson_interval(responders, judged),
                published=figures,
                published_statement=statement,
                source_id=EVIDENCE_SOURCE,
                source=source,
            )
        )
    return result


@dataclass(frozen=True)
class ResponseRate:
    kind: str
    label: str
    due: int
    answered: int
    rate: Interval


def check_in_response_rates(filters: Filters) -> list[ResponseRate]:
    """Per check-in kind: check-ins already due (in the period, by due date) and those answered."""
    rows = (
        CheckIn.objects.for_clinic(filters.clinic)
        .filter(due_at__lte=timezone.now())
        .filter(session_q(replace(filters, date_from=None, date_to=None), "session__"))
        .filter(period_q(filters, "due_at"))
        .values("kind")
        .annotate(due=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
        .order_by()
    )
    found = {row["kind"]: row for row in rows}
    result = []
    for kind, label in CheckIn.Kind.choices:
        row = found.get(kind, {"due": 0, "answered": 0})
        result.append(
            ResponseRate(kind, str(label), row["due"], row["answered"], wilson_interval(row["answered"], row["due"]))
        )
    return result
