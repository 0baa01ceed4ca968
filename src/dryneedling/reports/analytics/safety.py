"""Side effects and per-clinician safety: SQL aggregates, then the statistics layer.

A fixed number of queries whatever the size of the clinic: sessions and patients (one aggregate),
sessions and patients with a side effect of any/mild/serious severity counted from the side
effects' own rows (one aggregate), the rate by kind, the serious events with their follow-up
state (at most `SERIOUS_LIMIT`), and per clinician the sessions, those with a side effect and the
case number of each serious one (ROW_NUMBER over the clinician's sessions). Only the CUSUM walks
cases in Python (`clinical.stats.bernoulli_cusum`), per clinician, from the case numbers of the
few serious events: the database returns no per-session rows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, When, Window
from django.db.models.functions import RowNumber

from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.stats import (
    CusumResult,
    FunnelLimits,
    Interval,
    bernoulli_cusum,
    funnel_limits,
    wilson_interval,
)
from dryneedling.clinical.stats.funnel import funnel_position
from dryneedling.reports.analytics.filters import Filters, region_muscles, session_q
from dryneedling.treatment.models import AdverseEvent, Insertion, Session

SERIOUS_LIMIT = 100
# The CUSUM's in-control risk: Boyce 2020's major adverse events per treatment (under 0.1%).
CUSUM_EXPECTED = ("any_major_boyce", "boyce_2020")
CUSUM_LIMIT = 4.5  # Steiner et al. 2000 for an odds ratio of 2
CUSUM_POINTS = 500  # per stored CUSUM line (the chart is 760 px wide): longer ones keep each stretch's highest value


@dataclass(frozen=True)
class CusumLine:
    """A clinician's CUSUM chart as the dashboard stores, draws and exports it (issue 14): at most
    CUSUM_POINTS points, each stretch of cases kept as its highest value (the chart is drawn at
    that resolution anyway), and every crossing whole. The full series, one value per session,
    made a 100,000-patient clinic's stored figures 1.1 MB, decoded again by each chart and CSV."""

    cases: list[int]  # the case number (1 = the clinician's first completed session) of each point
    values: list[float]
    signals: list[int]  # as CusumResult.signals: the indices of the cases at which S_t reached h
    signal_values: list[float]
    highest: float
    odds_ratio: float
    limit: float
    source: str

    @property
    def alerted(self) -> bool:
        return bool(self.signals)


def cusum_line(chart: CusumResult) -> CusumLine:
    values = chart.values
    step = max(1, -(-len(values) // CUSUM_POINTS))
    cases, kept = [], []
    for start in range(0, len(values), step):
        top = max(range(start, min(start + step, len(values))), key=values.__getitem__)
        cases.append(top + 1)
        kept.append(values[top])
    return CusumLine(
        cases, kept, list(chart.signals), [values[i] for i in chart.signals], max(values, default=0.0),
        chart.odds_ratio, chart.limit, chart.source,
    )  # fmt: skip


def completed_sessions(filters: Filters) -> QuerySet[Session]:
    sessions = Session.objects.for_clinic(filters.clinic).filter(status=Session.Status.COMPLETED)
    return sessions.filter(session_q(filters)).order_by()  # no sort in a subquery or an aggregate


def _events(filters: Filters) -> QuerySet[AdverseEvent]:
    """The side effects of the selected sessions (joined to their session): the figures are counted
    from these few rows (a fifth of sessions or fewer), never by a lookup per session."""
    events = AdverseEvent.objects.for_clinic(filters.clinic).filter(session__status=Session.Status.COMPLETED)
    return events.filter(session_q(filters, "session__")).order_by()


@dataclass(frozen=True)
class Published:
    text: str
    value: float | None  # percent
    source_id: str
    citation: str


def published_rates(side_effect_id: str) -> list[Published]:
    knowledge = get_knowledge()
    found = knowledge.side_effects.get(side_effect_id)
    if found is None:
        return []
    return [
        Published(rate.text, rate.value, rate.source, knowledge.sources[rate.source].citation)
        for rate in found.rates
        if rate.source in knowledge.sources
    ]


@dataclass(frozen=True)
class RateRow:
    key: str
    label: str
    per: str  # "session" or "patient"
    events: int
    n: int
    rate: Interval
    published: list[Published]


def _row(key: str, label: str, per: str, events: int, n: int, published: str) -> RateRow:
    return RateRow(
        key, label, per, events, n, wilson_interval(events, n), published_rates(published) if published else []
    )


def side_effect_rates(filters: Filters) -> list[RateRow]:
    """Sessions and patients with any, a mild and a serious side effect (one query), and by kind
    (one query), each with a Wilson interval and the published rates of the knowledge base."""
    totals = completed_sessions(filters).aggregate(sessions=Count("id"), patients=Count("patient", distinct=True))
    totals |= _events(filters).aggregate(
        with_any=Count("session", distinct=True),
        with_mild=Count("session", distinct=True, filter=Q(severity="mild")),
        with_serious=Count("session", distinct=True, filter=Q(severity="serious")),
        patients_any=Count("patient", distinct=True),
    )
    sessions, patients = totals["sessions"], totals["patients"]
    rows = [
        _row("any", "Any side effect", "session", totals["with_any"], sessions, "any_minor_boyce"),
        _row("any", "Any side effect", "patient", totals["patients_any"], patients, ""),
        _row("mild", "Any mild side effect", "session", totals["with_mild"], sessions, "any_mild_brady"),
        _row("serious", "Any serious side effect", "session", totals["with_serious"], sessions, "any_major_boyce"),
    ]
    by_kind = (
        _events(filters)
        .values("kind")
        .annotate(sessions=Count("session", distinct=True), patients=Count("patient", distinct=True))
        .order_by("-sessions", "kind")
    )
    names = get_knowledge().side_effects
    for row in by_kind:
        kind = row["kind"]
        label = names[kind].name if kind in names else kind
        rows.append(
            RateRow(
                kind,
                label,
                "session",
                row["sessions"],
                sessions,
                wilson_interval(row["sessions"], sessions),
                published_rates(kind),
            )
        )
        rows.append(
            RateRow(kind, label, "patient", row["patients"], patients, wilson_interval(row["patients"], patients), [])
        )
    return rows


def serious_events(filters: Filters) -> list[dict[str, Any]]:
    """The serious side effects (newest first, at most SERIOUS_LIMIT): kind, when, the clinician and
    the follow-up state of their alert. No patient data."""
    events = _events(replace(filters, region="")).filter(severity="serious")
    if filters.region:  # checked per serious event, newest first, until SERIOUS_LIMIT: not every insertion
        muscles = region_muscles(filters.region)
        inserted = Insertion.objects.for_clinic(filters.clinic).filter(
            session=OuterRef("session"), muscle_id__in=muscles
        )
        events = events.filter(Exists(inserted))
    rows = events.values(
        "id", "kind", "onset_at", "session__clinician__full_name", "alert__id", "alert__acknowledged_at"
    ).order_by("-onset_at", "-id")[:SERIOUS_LIMIT]
    names = get_knowledge().side_effects
    return [
        {
            "kind": names[row["kind"]].name if row["kind"] in names else row["kind"],
            "onset_at": row["onset_at"],
            "clinician": row["session__clinician__full_name"],
            "state": (
                "no follow-up task"
                if row["alert__id"] is None
                else ("open" if row["alert__acknowledged_at"] is None else "resolved")
            ),
            "resolved_at": row["alert__acknowledged_at"],
        }
        for row in rows
    ]


@dataclass(frozen=True)
class ClinicianSafety:
    clinician_id: int
    name: str
    sessions: int
    with_effect: int
    serious: int
    rate: Interval
    position: str  # funnel_position: "within", "above 95%", ...
    cusum: CusumLine | None


@dataclass(frozen=True)
class SafetyMonitor:
    clinic_rate: float | None
    clinicians: list[ClinicianSafety]
    funnel: list[FunnelLimits]  # limits along the denominators, for drawing
    expected_serious: float  # the CUSUM's in-control risk per session
    expected_source: str


def _expected_serious() -> tuple[float, str]:
    side_effect_id, source_id = CUSUM_EXPECTED
    rates = [r for r in published_rates(side_effect_id) if r.source_id == source_id and r.value]
    return (rates[0].value or 0.0) / 100, rates[0].citation


def _case_numbers(filters: Filters) -> list[tuple[int, int]]:
    """Per serious session: its clinician and its place (0 = first) among their sessions as filtered.
    One pass: ROW_NUMBER() over each clinician's sessions in time order, kept for the serious ones only
    (a window inside the CASE, so Django filters on it after numbering, not before)."""
    serious = _events(filters).filter(severity="serious").values("session_id")
    number = Window(RowNumber(), partition_by=[F("clinician_id")], order_by=[F("started_at").asc(), F("id").asc()])
    rows = (
        completed_sessions(filters)
        .annotate(case=Case(When(pk__in=serious, then=number), default=None))
        .filter(case__isnull=False)
        .values_list("clinician_id", "case")
    )
    return [(int(clinician_id), int(case) - 1) for clinician_id, case in rows]


def safety_monitor(filters: Filters) -> SafetyMonitor:
    """The funnel (each clinician's sessions with a side effect against the clinic's rate, Spiegelhalter
    2005 limits at 95% and 99.8%) and a Bernoulli CUSUM of serious events per clinician. The clinic's
    rate is that of every clinician (with the other filters): a clinician filter keeps their row only."""
    everyone = replace(filters, clinician_id=None)
    per: list[dict[str, Any]] = list(
        completed_sessions(everyone)
        .values("clinician_id", "clinician__full_name")
        .annotate(n=Count("id"))
        .order_by("clinician__full_name", "clinician_id")
    )
    effects = {
        row["session__clinician_id"]: row
        for row in _events(everyone)
        .values("session__clinician_id")
        .annotate(
            with_effect=Count("session", distinct=True),
            serious_n=Count("session", distinct=True, filter=Q(severity="serious")),
        )
        .order_by()
    }
    for row in per:
        found = effects.get(row["clinician_id"], {})
        row["with_effect"], row["serious_n"] = found.get("with_effect", 0), found.get("serious_n", 0)
    cases: dict[int, list[int]] = {}
    for clinician_id, case in _case_numbers(filters):  # the serious sessions only
        cases.setdefault(clinician_id, []).append(case)
    total = sum(row["n"] for row in per)
    clinic_rate = sum(row["with_effect"] for row in per) / total if total else None
    expected, expected_source = _expected_serious()
    clinicians = []
    for row in per:
        if filters.clinician_id and row["clinician_id"] != filters.clinician_id:
            continue
        n = row["n"]
        events = [False] * n
        for case in cases.get(row["clinician_id"], []):
            events[case] = True
        chart = cusum_line(bernoulli_cusum(events, expected, limit=CUSUM_LIMIT)) if 0 < expected < 1 else None
        position = funnel_position(row["with_effect"], n, clinic_rate) if clinic_rate is not None else "within"
        clinicians.append(
            ClinicianSafety(
                row["clinician_id"], row["clinician__full_name"], n, row["with_effect"], row["serious_n"],
                wilson_interval(row["with_effect"], n), position, chart,
            )
        )  # fmt: skip
    funnel = []
    if clinic_rate is not None and clinicians:
        top = max(one.sessions for one in clinicians)
        steps = sorted({max(1, round((top * 1.1) ** (i / 24))) for i in range(25)})  # geometric: the bend is at small n
        funnel = [funnel_limits(n, clinic_rate) for n in steps]
    return SafetyMonitor(clinic_rate, clinicians, funnel, expected, expected_source)
