"""The dashboard's selectors on hand-built data: known counts give known rates and intervals (the
intervals themselves are checked against hand-computed values in tests/clinical/test_stats_*)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dryneedling.clinical.stats import mean_interval, wilson_interval
from dryneedling.reports.analytics.filters import Filters
from dryneedling.reports.analytics.outcomes import check_in_response_rates, outcomes_by_window
from dryneedling.reports.analytics.safety import safety_monitor, serious_events, side_effect_rates
from tests.reports import factory as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def outcomes_world(clinic_a, clinic_b, alice, mia, carol):  # type: ignore[no-untyped-def]
    e1, e2, e3 = (f.episode(clinic_a, completed_at=f.T0) for _ in range(3))
    f.session(e1, alice)
    f.session(e2, alice, muscle="rectus_femoris")
    f.session(e3, mia)
    weeks_4_12 = timedelta(days=30)
    f.score(e1, value=3, baseline=7, responder=True, after=weeks_4_12)
    f.score(e2, value=5, baseline=6, responder=False, after=weeks_4_12)
    f.score(e3, value=2, baseline=8, responder=True, after=weeks_4_12)
    f.score(e1, value=4, baseline=7, responder=True, after=timedelta(days=2))  # ≤ 72 h
    f.score(e1, value=1, baseline=7, responder=True, after=timedelta(days=200))  # beyond 24 weeks
    f.score(e2, value=6, baseline=6, responder=False, after=timedelta(days=-3))  # during the course
    other = f.episode(clinic_b, completed_at=f.T0)  # another clinic: never counted
    f.session(other, carol)
    f.score(other, value=0, baseline=10, responder=True, after=weeks_4_12)
    return e1, e2, e3


def _window(rows, key):  # type: ignore[no-untyped-def]
    return next(row for row in rows if row.window.key == key)


def test_outcomes_by_window_counts_means_and_responders(clinic_a, outcomes_world):  # type: ignore[no-untyped-def]
    rows = outcomes_by_window(Filters(clinic=clinic_a))
    assert [row.window.key for row in rows] == ["72h", "1_3w", "4_12w", "13_24w"]
    main = _window(rows, "4_12w")
    assert (main.episodes, main.scores, main.responders, main.judged) == (3, 3, 2, 3)
    expected = mean_interval([-4, -1, -6])
    assert main.change.estimate == pytest.approx(-11 / 3)
    assert (main.change.low, main.change.high) == (pytest.approx(expected.low), pytest.approx(expected.high))
    rate = wilson_interval(2, 3)
    assert (main.responder_rate.low, main.responder_rate.high) == (pytest.approx(rate.low), pytest.approx(rate.high))
    assert main.published.startswith("SMD -0.85") and "Sanchez-Infante" in main.source
    early = _window(rows, "72h")
    assert (early.episodes, early.scores, early.responders) == (1, 1, 1)
    assert early.change.low is None  # one value: no interval
    assert _window(rows, "13_24w").scores == 0 and _window(rows, "1_3w").scores == 0


def test_outcomes_filtered_by_clinician_region_and_condition(clinic_a, alice, outcomes_world):  # type: ignore[no-untyped-def]
    assert _window(outcomes_by_window(Filters(clinic=clinic_a, clinician_id=alice.pk)), "4_12w").scores == 2
    assert _window(outcomes_by_window(Filters(clinic=clinic_a, region="lower_limb")), "4_12w").scores == 1
    assert _window(outcomes_by_window(Filters(clinic=clinic_a, icd10="M54")), "4_12w").scores == 3
    assert _window(outcomes_by_window(Filters(clinic=clinic_a, icd10="M79.1")), "4_12w").scores == 0
    assert _window(outcomes_by_window(Filters(clinic=clinic_a, condition="neck_pain")), "4_12w").scores == 3  # M54.2
    assert _window(outcomes_by_window(Filters(clinic=clinic_a, condition="knee_pain")), "4_12w").scores == 0
    in_period = Filters(clinic=clinic_a, date_from=date(2026, 4, 1), date_to=date(2026, 4, 1))  # T0 + 30 days
    assert _window(outcomes_by_window(in_period), "4_12w").scores == 3
    before = Filters(clinic=clinic_a, date_to=date(2026, 3, 31))
    assert _window(outcomes_by_window(before), "4_12w").scores == 0


@pytest.fixture
def safety_world(clinic_a, clinic_b, alice, mia, carol):  # type: ignore[no-untyped-def]
    one, two = f.episode(clinic_a), f.episode(clinic_a)
    f.session(one, alice, effects=(("bruising", "mild"),))
    f.session(one, alice, at=f.T0 + timedelta(days=7), effects=(("bruising", "mild"), ("bleeding", "mild")))
    f.session(two, alice, at=f.T0 + timedelta(days=1))
    f.session(two, mia, at=f.T0 + timedelta(days=8), effects=(("pneumothorax", "serious"),))
    f.session(two, mia, at=f.T0 + timedelta(days=9), completed=False, effects=(("bruising", "mild"),))  # open
    other = f.episode(clinic_b)
    f.session(other, carol, effects=(("pneumothorax", "serious"),))
    return one, two


def _rate(rows, key, per):  # type: ignore[no-untyped-def]
    return next(row for row in rows if row.key == key and row.per == per)


def test_side_effect_rates_per_session_and_patient(clinic_a, safety_world):  # type: ignore[no-untyped-def]
    rows = side_effect_rates(Filters(clinic=clinic_a))
    any_session = _rate(rows, "any", "session")
    assert (any_session.events, any_session.n) == (3, 4)  # completed sessions only, this clinic only
    assert any_session.rate.low == pytest.approx(wilson_interval(3, 4).low)
    assert any_session.published and any_session.published[0].source_id == "boyce_2020"
    assert (_rate(rows, "any", "patient").events, _rate(rows, "any", "patient").n) == (2, 2)
    assert _rate(rows, "mild", "session").events == 2
    assert _rate(rows, "mild", "session").published[0].source_id == "brady_2014"
    assert _rate(rows, "serious", "session").events == 1
    bruising = _rate(rows, "bruising", "session")
    assert (bruising.events, bruising.n) == (2, 4)  # two sessions, however many events in one
    assert {p.source_id for p in bruising.published} == {"brady_2014", "boyce_2020"}
    assert _rate(rows, "bruising", "patient").events == 1


def test_serious_events_listed_with_follow_up_state(clinic_a, safety_world):  # type: ignore[no-untyped-def]
    rows = serious_events(Filters(clinic=clinic_a))
    assert [(r["kind"], r["clinician"], r["state"]) for r in rows] == [("Pneumothorax", "Mia Moreno", "open")]
    assert "Given" not in str(rows) and "Family" not in str(rows)


def test_safety_monitor_funnel_and_cusum(clinic_a, alice, mia, safety_world):  # type: ignore[no-untyped-def]
    monitor = safety_monitor(Filters(clinic=clinic_a))
    assert monitor.clinic_rate == pytest.approx(3 / 4)
    by_name = {c.name: c for c in monitor.clinicians}
    assert (by_name["Alice Adams"].sessions, by_name["Alice Adams"].with_effect) == (3, 2)
    assert (by_name["Mia Moreno"].sessions, by_name["Mia Moreno"].serious) == (1, 1)
    assert by_name["Alice Adams"].position == "within"
    assert monitor.funnel and all(0.95 in lim.limits for lim in monitor.funnel)
    mia_chart = by_name["Mia Moreno"].cusum
    assert mia_chart is not None and mia_chart.values[0] > 0  # her first case is the serious one
    assert by_name["Alice Adams"].cusum is not None and max(by_name["Alice Adams"].cusum.values) == 0
    assert monitor.expected_serious == pytest.approx(0.00098)
    alone = safety_monitor(Filters(clinic=clinic_a, clinician_id=alice.pk))
    assert [c.name for c in alone.clinicians] == ["Alice Adams"]
    assert alone.clinic_rate == pytest.approx(3 / 4)  # still the clinic's rate, not hers


def test_cusum_signals_on_a_planted_run(clinic_a, alice):  # type: ignore[no-untyped-def]
    """Seven serious events in a row cross Steiner's h = 4.5 at an expected 0.098% per session."""
    ep = f.episode(clinic_a)
    for day in range(3):
        f.session(ep, alice, at=f.T0 + timedelta(days=day))
    for day in range(3, 10):
        f.session(ep, alice, at=f.T0 + timedelta(days=day), effects=(("pneumothorax", "serious"),))
    chart = safety_monitor(Filters(clinic=clinic_a)).clinicians[0].cusum
    assert chart is not None and chart.signals == [9]  # the 7th serious event (case 10) crosses


def test_check_in_response_rates(clinic_a, alice):  # type: ignore[no-untyped-def]
    s = f.session(f.episode(clinic_a), alice)
    f.check_in(s, kind="soreness", due_at=f.T0 + timedelta(days=1), answered=True)
    f.check_in(s, kind="week_1", due_at=f.T0 + timedelta(days=7), answered=False)
    s2 = f.session(f.episode(clinic_a), alice)
    f.check_in(s2, kind="soreness", due_at=f.T0 + timedelta(days=1), answered=False)
    f.check_in(s2, kind="week_12", due_at=f.T0 + timedelta(days=9999), answered=False)  # not due yet
    rates = {r.kind: r for r in check_in_response_rates(Filters(clinic=clinic_a))}
    assert (rates["soreness"].answered, rates["soreness"].due) == (1, 2)
    assert (rates["week_1"].answered, rates["week_1"].due) == (0, 1)
    assert rates["week_12"].due == 0 and rates["week_12"].rate.estimate is None


def test_window_edges_are_exact_to_the_second(clinic_a, alice):  # type: ignore[no-untyped-def]
    """The window is read from whole seconds after the end of the course, in native SQL on both
    databases: 72 h exactly is still "≤ 72 hours", one second more is "1–3 weeks"."""
    edge, past = f.episode(clinic_a, completed_at=f.T0), f.episode(clinic_a, completed_at=f.T0)
    f.session(edge, alice)
    f.session(past, alice)
    f.score(edge, value=3, baseline=7, responder=True, after=timedelta(hours=72))
    f.score(past, value=3, baseline=7, responder=True, after=timedelta(hours=72, seconds=1))
    rows = outcomes_by_window(Filters(clinic=clinic_a))
    assert (_window(rows, "72h").scores, _window(rows, "1_3w").scores) == (1, 1)


def test_a_score_recorded_before_the_course_ends_counts_once_it_has_ended(clinic_a):  # type: ignore[no-untyped-def]
    """The stored window follows the episode: scores written first, course ended afterwards."""
    from dryneedling.followup.models import OutcomeRecord

    ep = f.episode(clinic_a)
    record = OutcomeRecord.objects.create(
        clinic=clinic_a, patient=ep.patient, episode=ep, instrument_id="nprs", value=3,
        recorded_at=f.T0 + timedelta(days=40), verdict={"baseline": 7, "responder": True},
    )  # fmt: skip
    stored = OutcomeRecord.objects.for_clinic(clinic_a).values_list("window", "baseline", "responder")
    assert stored.get(pk=record.pk) == ("", 7.0, True)  # no end of course yet: in no window
    ep.course_completed_at = f.T0
    ep.save(update_fields=["course_completed_at"])
    assert stored.get(pk=record.pk) == ("4_12w", 7.0, True)
    (window,) = [w for w in outcomes_by_window(Filters(clinic=clinic_a)) if w.window.key == "4_12w"]
    assert (window.scores, window.responders, window.change.estimate) == (1, 1, -4.0)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_stored_columns_of_existing_scores(clinic_a):  # type: ignore[no-untyped-def]
    from importlib import import_module

    from django.apps import apps

    from dryneedling.followup.models import OutcomeRecord

    ep = f.episode(clinic_a, completed_at=f.T0)
    record = f.score(ep, value=2, baseline=6, responder=True, after=timedelta(days=10))
    OutcomeRecord.objects.for_clinic(clinic_a).update(window="", baseline=None, responder=None)
    import_module("dryneedling.followup.migrations.0010_outcome_derived_columns").fill(apps, None)
    stored = OutcomeRecord.objects.for_clinic(clinic_a).values_list("window", "baseline", "responder")
    assert stored.get(pk=record.pk) == ("1_3w", 6.0, True)


def test_an_episode_scored_twice_in_a_window_counts_once_with_its_last_score(clinic_a, alice):  # type: ignore[no-untyped-def]
    """A patient who answers at 4 and at 12 weeks is one episode in the 4-12 week window, not two
    observations: the means and the responder rate count each episode once, by its last score."""
    twice, once = (f.episode(clinic_a, completed_at=f.T0) for _ in range(2))
    f.session(twice, alice)
    f.session(once, alice)
    f.score(twice, value=6, baseline=7, responder=False, after=timedelta(days=30))
    f.score(twice, value=2, baseline=7, responder=True, after=timedelta(days=80))  # the last in the window
    f.score(once, value=5, baseline=6, responder=False, after=timedelta(days=40))
    main = _window(outcomes_by_window(Filters(clinic=clinic_a)), "4_12w")
    assert (main.episodes, main.scores, main.responders, main.judged) == (2, 2, 1, 2)
    assert main.change.estimate == pytest.approx((-5 + -1) / 2)


def test_a_stored_cusum_line_does_not_grow_with_the_sessions():
    """Issue 14: the stored figures held every session's CUSUM value (1.1 MB at 100,000 patients,
    decoded by each chart image and CSV): the line keeps at most CUSUM_POINTS points, each stretch's
    highest, and every crossing whole."""
    from dryneedling.clinical.stats import bernoulli_cusum
    from dryneedling.reports.analytics.safety import CUSUM_POINTS, cusum_line

    events = [False] * 50_000
    for case in (10_000, 10_001, 10_002, 10_003, 10_004, 10_005, 10_006, 40_000):
        events[case] = True
    full = bernoulli_cusum(events, 0.00098, limit=4.5)
    line = cusum_line(full)
    assert len(line.values) == len(line.cases) <= CUSUM_POINTS
    assert line.highest == max(full.values) == max(line.values)
    assert line.signals == full.signals and line.signal_values == [full.values[i] for i in full.signals]
    assert line.cases == sorted(line.cases) and line.cases[0] >= 1 and line.cases[-1] <= 50_000
    short = cusum_line(bernoulli_cusum([False, True, False], 0.00098, limit=4.5))
    assert short.cases == [1, 2, 3] and short.values == bernoulli_cusum([False, True, False], 0.00098, limit=4.5).values
