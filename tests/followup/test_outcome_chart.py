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
