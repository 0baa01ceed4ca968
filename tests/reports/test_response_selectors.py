"""What predicts response on hand-built episodes whose rates are known: the features read from the
database, the bands, the Wilson intervals, who may see the figures, the page, its charts and its
formula-safe CSV, and that the page's queries do not grow with the number of episodes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dryneedling.accounts.models import AuditEvent
from dryneedling.clinical.stats import wilson_interval
from dryneedling.followup.models import CheckIn, OutcomeRecord
from dryneedling.intake.models import Screening
from dryneedling.patients.models import Episode, EpisodeCondition
from dryneedling.reports.response import episode_features, response_figures_for
from dryneedling.reports.response.figures import responder_rates
from dryneedling.treatment.models import Consent, Finding, Insertion, Session
from dryneedling.web.views.response import csv_cell
from tests.conftest import csrf_token

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Spec:
    baseline: int
    responder: bool | None  # None: no 4–12-week score
    points: int = 2
    sessions: int = 1
    twitches: int = 0
    techniques: tuple[str, ...] = ("pistoning",)
    code: str = "M54.50"


def build(alice, patient, spec: Spec) -> Episode:  # type: ignore[no-untyped-def]
    clinic = patient.clinic
    screening = Screening.objects.for_clinic(clinic).filter(patient=patient).first()
    consent = Consent.objects.for_clinic(clinic).filter(patient=patient).first()
    episode = Episode.objects.create(
        clinic=clinic, patient=patient, reason="Pain", start_date=date(2026, 3, 1), status="active"
    )
    EpisodeCondition.objects.create(episode=episode, code=spec.code, text=f"=Condition {spec.code}")
    for n in range(spec.points):
        Finding.objects.create(
            clinic=clinic, patient=patient, episode=episode, muscle_id="trapezius_upper", side="left",
            view="back", x=1.0 + n, y=1.0, status="active", tenderness=5, recorded_by=alice,
        )  # fmt: skip
    sessions = [
        Session.objects.create(
            clinic=clinic,
            patient=patient,
            episode=episode,
            clinician=alice,
            screening=screening,
            consent=consent,
            checklist={},
            status="completed",
            started_at=START + timedelta(days=7 * k),
        )  # fmt: skip
        for k in range(spec.sessions)
    ]
    for index, technique in enumerate(spec.techniques):
        Insertion.objects.create(
            session=sessions[0], muscle_id="trapezius_upper", side="left", technique=technique,
            needle_diameter_mm="0.25", needle_length_mm=30, planned_seconds=30, actual_seconds=20,
            twitch_count=spec.twitches if index == 0 else 0, performed_by=alice,
        )  # fmt: skip
    OutcomeRecord.objects.create(
        clinic=clinic, patient=patient, episode=episode, instrument_id="nprs", value=spec.baseline, recorded_at=START
    )
    if spec.responder is not None:
        due = START + timedelta(days=7 * spec.sessions + 28)
        check_in = CheckIn.objects.create(
            clinic=clinic, patient=patient, episode=episode, session=sessions[-1], kind="week_4",
            due_at=due, expires_at=due + timedelta(days=14), answered_at=due,
        )  # fmt: skip
        OutcomeRecord.objects.create(
            clinic=clinic, patient=patient, episode=episode, check_in=check_in, instrument_id="nprs",
            value=spec.baseline - (3 if spec.responder else 0), recorded_at=due,
            verdict={"rule": "points", "mcid": 2, "responder": spec.responder},
        )  # fmt: skip
    return episode


SPECS = (
    Spec(8, True, twitches=3),
    Spec(9, True, twitches=1, points=6, sessions=4),
    Spec(7, True, twitches=0, techniques=("static", "static", "pistoning")),
    Spec(7, False, twitches=2),
    Spec(5, True, twitches=2, sessions=2),
    Spec(5, False, techniques=("static", "pistoning")),  # a tie goes to pistoning
    Spec(4, False, points=0, techniques=("electrical",) * 3),  # no chart: the most needled in a session
    Spec(6, False, sessions=3),
    Spec(2, False, code="M54.2"),
    Spec(3, False, twitches=4, code="M54.2"),
    Spec(6, None),  # no 4–12-week score: in no rate
)


@pytest.fixture
def built(alice, patient_a, ready_episode):  # type: ignore[no-untyped-def]
    return [build(alice, patient_a, spec) for spec in SPECS]


def _rate(figures_rates, factor: str, group: str):  # type: ignore[no-untyped-def]
    return next(r for r in figures_rates if r.factor == factor and r.group == group)


def test_features_read_from_the_database(built, alice):  # type: ignore[no-untyped-def]
    rows = {r.episode_id: r for r in episode_features(clinic_id=alice.membership.clinic_id)}
    assert len(rows) == len(SPECS)  # ready_episode has no completed session
    first, second, third, _, _, tie, no_chart, *_ = (rows[e.pk] for e in built)
    assert (first.baseline_pain, first.responder, first.trigger_points, first.sessions, first.twitches) == (
        8, True, 2, 1, 3,
    )  # fmt: skip
    assert (second.trigger_points, second.sessions) == (6, 4)
    assert third.technique == "static" and tie.technique == "pistoning"
    assert (no_chart.trigger_points, no_chart.technique) == (3, "electrical")
    assert rows[built[-1].pk].responder is None
    assert first.first_response_at is not None and rows[built[3].pk].first_response_at is None


def test_responder_rates_by_band_with_wilson_intervals(built, alice):  # type: ignore[no-untyped-def]
    rates = responder_rates(episode_features(clinic_id=alice.membership.clinic_id))
    high = _rate(rates, "Baseline pain (NPRS)", "7–10")
    assert (high.responders, high.n) == (3, 4)
    assert high.interval == wilson_interval(3, 4)
    assert (_rate(rates, "Baseline pain (NPRS)", "4–6").responders, _rate(rates, "Baseline pain (NPRS)", "4–6").n) == (
        1, 4,
    )  # fmt: skip
    assert _rate(rates, "Baseline pain (NPRS)", "0–3").n == 2
    assert _rate(rates, "Baseline pain (NPRS)", "0–3").interval.estimate == 0
    twitch, none = _rate(rates, "Twitch responses obtained", "Any"), _rate(rates, "Twitch responses obtained", "None")
    assert (twitch.responders, twitch.n, none.responders, none.n) == (3, 5, 1, 5)
    assert _rate(rates, "Trigger points treated", "6+").n == 1
    assert _rate(rates, "Trigger points treated", "3–5").n == 1  # the episode without a chart
    assert _rate(rates, "Technique (most insertions)", "Static").n == 1
    assert _rate(rates, "Sessions", "4+").n == 1 and _rate(rates, "Sessions", "2–3").n == 2
    empty = _rate(rates, "Technique (most insertions)", "Electrical")
    assert empty.n == 1 and empty.responders == 0


def test_the_model_refuses_in_words_on_too_little_data_and_the_curves_count(built, alice):  # type: ignore[no-untyped-def]
    figures = response_figures_for(actor=alice)
    assert figures.judged == 10 and figures.treated == 11
    assert not figures.model.fitted and figures.model.problems  # ten episodes cannot carry 6 predictors
    curves = {c.label: c.result for c in figures.curves}
    assert sum(r.n for r in curves.values()) == 10
    assert sum(r.events for r in curves.values()) == 4
    assert any(label.startswith("M54.5") for label in curves)


def test_only_clinic_admins_and_clinicians_see_the_figures(built, alice, bob, dana, carol):  # type: ignore[no-untyped-def]
    assert response_figures_for(actor=dana).judged == 10
    assert response_figures_for(actor=carol).judged == 0  # clinic B's own figures
    with pytest.raises(PermissionDenied, match="clinicians and clinic admins"):
        response_figures_for(actor=bob)


def test_the_page_charts_and_csv(built, dana_client):  # type: ignore[no-untyped-def]
    page = dana_client.get(reverse("analytics-response"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Observational data" in body and "Zelda" not in body and "A-0001" not in body
    assert 'href="/analytics/"' in body
    assert '<th scope="col">Responders, %</th>' in body  # the table beside the chart, in words
    for chart in ("rates", "forest", "time-to-response"):
        svg = dana_client.get(reverse("analytics-response-svg", args=[chart]))
        assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
        assert f'src="{reverse("analytics-response-svg", args=[chart])}" alt="' in body
    assert dana_client.get("/analytics/response/nothing.svg").status_code == 404
    csv = dana_client.get(reverse("analytics-response-csv", args=["time-to-response"]))
    text = csv.content.decode()
    assert text.splitlines()[0].startswith("condition,day,at_risk")
    assert "M54.5 (=Condition M54.50)" in text
    rates = dana_client.get(reverse("analytics-response-csv", args=["rates"])).content.decode()
    assert "Baseline pain (NPRS),7–10,4,3,75.0," in rates
    actions = list(AuditEvent.objects.filter(action__startswith="analytics.response").values_list("action", "detail"))
    assert ("analytics.response.view", {"episodes": 11, "judged": 10, "modelled": 10}) in actions
    assert ("analytics.response.export", {"chart": "rates", "rows": 14}) in actions


def test_a_csv_cell_never_starts_with_a_formula():
    assert [csv_cell(v) for v in ("=SUM(A1)", "+1", "-2", "@x", "\tx", "M54.2", None, -1.5, 3)] == [
        "'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", "M54.2", "", -1.5, 3,
    ]  # fmt: skip


def test_the_page_reads_a_constant_number_of_queries(alice, patient_a, ready_episode, dana_client):  # type: ignore[no-untyped-def]
    """Computing the figures (the Recompute button) and showing the stored ones: neither grows with
    the number of episodes."""
    build(alice, patient_a, SPECS[0])
    url, recompute = reverse("analytics-response"), reverse("analytics-response-recompute")
    token = {"csrfmiddlewaretoken": csrf_token(dana_client, url)}
    with CaptureQueriesContext(connection) as few_computed:
        dana_client.post(recompute, token)
    with CaptureQueriesContext(connection) as few:
        dana_client.get(url)
    for spec in SPECS:
        build(alice, patient_a, spec)
    with CaptureQueriesContext(connection) as more_computed:
        dana_client.post(recompute, token)
    with CaptureQueriesContext(connection) as more:
        page = dana_client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)
    assert len(more_computed.captured_queries) == len(few_computed.captured_queries)
    assert b"12 episodes with a completed session" in page.content  # the recomputed figures


def test_a_score_entered_in_clinic_in_the_window_counts_and_the_last_one_wins(alice, patient_a, ready_episode):  # type: ignore[no-untyped-def]
    """A 4–12-week score need not come from a check-in: a clinician entering it at a visit six weeks
    after the course counts, as on the dashboard; with two, the last decides, as on the dashboard."""
    episode = build(alice, patient_a, Spec(8, None))
    episode.course_completed_at = START + timedelta(days=7)
    episode.save(update_fields=["course_completed_at"])
    clinic = patient_a.clinic
    for weeks, responder in ((5, False), (7, True)):
        OutcomeRecord.objects.create(
            clinic=clinic, patient=patient_a, episode=episode, instrument_id="nprs", value=8 - 3 * responder,
            recorded_at=episode.course_completed_at + timedelta(weeks=weeks),
            verdict={"rule": "points", "mcid": 2, "responder": responder},
        )  # fmt: skip
    (row,) = [r for r in episode_features(clinic_id=clinic.pk) if r.episode_id == episode.pk]
    assert row.responder is True


def test_a_late_week_12_answer_outside_the_window_does_not_override_an_in_window_score(alice, patient_a, ready_episode):  # type: ignore[no-untyped-def]
    """The week-12 check-in answered 16 weeks after the course is in the 13-24 week window: the
    clinician's 6-week score stays the episode's 4-12 week verdict, as on the dashboard."""
    episode = build(alice, patient_a, Spec(8, None))
    episode.course_completed_at = START + timedelta(days=7)
    episode.save(update_fields=["course_completed_at"])
    clinic, end = patient_a.clinic, START + timedelta(days=7)
    OutcomeRecord.objects.create(
        clinic=clinic, patient=patient_a, episode=episode, instrument_id="nprs", value=5,
        recorded_at=end + timedelta(weeks=6), verdict={"rule": "points", "mcid": 2, "responder": True},
    )  # fmt: skip
    session = Session.objects.for_clinic(clinic).filter(episode=episode).first()
    late = CheckIn.objects.create(
        clinic=clinic, patient=patient_a, episode=episode, session=session, kind="week_12",
        due_at=end + timedelta(weeks=12), expires_at=end + timedelta(weeks=20), answered_at=end + timedelta(weeks=16),
    )  # fmt: skip
    OutcomeRecord.objects.create(
        clinic=clinic, patient=patient_a, episode=episode, check_in=late, instrument_id="nprs", value=8,
        recorded_at=end + timedelta(weeks=16), verdict={"rule": "points", "mcid": 2, "responder": False},
    )  # fmt: skip
    (row,) = [r for r in episode_features(clinic_id=clinic.pk) if r.episode_id == episode.pk]
    assert row.responder is True
