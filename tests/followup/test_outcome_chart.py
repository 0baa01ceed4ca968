"""Issue 11: the outcome chart draws every instrument recorded (NDI was recorded but not drawn),
says "No scores yet" instead of an empty 1970 axis, groups scores of one day, and labels the
answers in words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dryneedling.followup.charts import NO_SCORES, group_by_day
from dryneedling.followup.models import OutcomeRecord
from dryneedling.followup.services import outcome_record
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _svg(client, episode) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/episodes/{episode.pk}/outcomes.svg")
    assert response.status_code == 200
    return response.content.decode()


def test_no_scores_says_so_without_a_1970_axis(alice_client, ready_episode):  # noqa: F811
    svg = _svg(alice_client, ready_episode)
    assert svg.startswith("<svg") and NO_SCORES.split(":")[0] in svg
    assert "1970" not in svg


def test_every_instrument_recorded_is_drawn_with_answers_in_words(alice, alice_client, ready_episode):  # noqa: F811
    outcome_record(actor=alice, episode=ready_episode, instrument_id="nprs", total=6)
    outcome_record(actor=alice, episode=ready_episode, instrument_id="ndi", total=18)
    outcome_record(actor=alice, episode=ready_episode, instrument_id="groc", total=4)
    svg = _svg(alice_client, ready_episode)
    assert "Numeric Pain Rating Scale" in svg
    assert "Neck Disability Index (0 to 50, lower is better)" in svg
    assert "Global Rating of Change" in svg
    assert "about the same" in svg and "a very great deal better" in svg and "no pain" in svg
    assert "1970" not in svg


def test_scores_of_one_day_are_grouped(alice, alice_client, ready_episode):  # noqa: F811
    outcome_record(actor=alice, episode=ready_episode, instrument_id="nprs", total=6)
    outcome_record(actor=alice, episode=ready_episode, instrument_id="nprs", total=3)
    earlier = outcome_record(actor=alice, episode=ready_episode, instrument_id="nprs", total=7)
    OutcomeRecord.unscoped.filter(pk=earlier.pk).update(recorded_at=timezone.now() - timedelta(days=7))
    svg = _svg(alice_client, ready_episode)
    assert "2 scores" in svg  # today's two, on one day
    assert svg.count("2 scores") == 1


def test_group_by_day_keeps_days_in_order() -> None:
    d1, d2 = date(2026, 1, 5), date(2026, 1, 12)
    assert group_by_day([(d2, 3.0), (d1, 6.0), (d2, 5.0)]) == [(d1, [6.0]), (d2, [3.0, 5.0])]


def test_drawn_without_matplotlib_keeps_the_mcid_band_sessions_and_side_effects() -> None:
    """Issue 14: the chart is drawn by hand (matplotlib took ~450 ms a chart on every patient page)
    and still shows the scores, the MCID band with its label, session days and side effects."""
    import subprocess
    import sys
    from datetime import datetime

    from dryneedling.followup.charts import Series, outcome_chart_svg

    d = date(2026, 9, 1)
    pain = Series(
        label="Numeric Pain Rating Scale (0 to 10, lower is better)",
        points=[(d, [7.0, 6.0]), (d + timedelta(days=14), [3.0])],
        y_range=(0.0, 10.0),
        anchors={0: "no pain", 10: "worst imaginable"},
        mcid=2.0,
    )
    svg = outcome_chart_svg(
        series=[pain], events=[(datetime(2026, 9, 2, 9), "Soreness")], sessions=[datetime(2026, 9, 1, 10)]
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "Change smaller than the MCID (2)" in svg and "Side effect (clinic or patient)" in svg
    assert "2 scores" in svg and "no pain" in svg and "2026-09-01" in svg
    assert "<title>Numeric Pain Rating Scale (0 to 10, lower is better): 3 on 2026-09-15</title>" in svg
    assert "<title>Soreness</title>" in svg and 'stroke="#0b6e69"' in svg  # a side effect, a session day
    assert "style=" not in svg
    code = "import sys, dryneedling.followup.charts; print('matplotlib' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "False"
