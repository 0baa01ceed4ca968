from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime
from statistics import mean

import pytest

from dryneedling.synthetic.followup_gen import (
    RESPONSE_LOG_ODDS,
    RESPONSE_ODDS_PER_PAIN_BAND,
    RESPONSE_ODDS_TWITCH,
    generate_followup,
    response_probability,
)
from dryneedling.synthetic.generator import generate_patients
from dryneedling.synthetic.treatment_gen import generate_course

TODAY = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, 23, 59, tzinfo=UTC)


def _follow(seed: int):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    for patient in generate_patients(count=3000, seed=seed, today=TODAY):
        for episode in patient.episodes:
            course = generate_course(episode=episode, rng=rng, now=NOW)
            if course is not None:
                yield generate_followup(course=course, rng=rng, now=NOW)


def test_outcomes_improve_on_average_with_non_response_and_non_responders():
    follows = list(_follow(5))
    week4 = [
        (f.baseline_pain, c.answers["pain"]) for f in follows for c in f.check_ins if c.kind == "week_4" and c.answers
    ]
    due4 = [c for f in follows for c in f.check_ins if c.kind == "week_4" and c.due_at <= NOW]
    assert len(week4) > 300
    assert 0.45 < len(week4) / len(due4) < 0.65  # realistic non-response
    drops = [base - pain for base, pain in week4]
    assert 1.2 < mean(drops) < 2.8  # better on average
    responders = sum(d >= 2 for d in drops) / len(drops)  # MCID 2 points (instruments.yaml)
    assert 0.4 < responders < 0.75  # and not everyone
    assert any(d <= 0 for d in drops)
    for f in follows:
        for c in f.check_ins:
            assert c.answered_at is None or c.due_at <= c.answered_at <= NOW
            assert (c.answers is None) == (c.answered_at is None)
            assert c.due_at < c.expires_at


def test_response_is_planted_on_baseline_pain_and_twitch_responses():
    assert response_probability(2, False) < response_probability(5, False) < response_probability(8, False)
    assert response_probability(5, True) == pytest.approx(
        1 / (1 + 1 / (math.exp(RESPONSE_LOG_ODDS) * RESPONSE_ODDS_TWITCH))
    )
    assert response_probability(8, False) == pytest.approx(
        1 / (1 + 1 / (math.exp(RESPONSE_LOG_ODDS) * RESPONSE_ODDS_PER_PAIN_BAND))
    )
