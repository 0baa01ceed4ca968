from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from dryneedling.clinical.billing import derive_cpt
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.synthetic.generator import generate_patients
from dryneedling.synthetic.treatment_gen import generate_course, side_effect_rates

TODAY = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, 10, 30, tzinfo=UTC)  # mid-morning: sessions later today are not yet


def _courses(seed: int, n: int = 1500):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    for patient in generate_patients(count=n, seed=seed, today=TODAY):
        for episode in patient.episodes:
            course = generate_course(episode=episode, rng=rng, now=NOW)
            if course is not None:
                yield episode, course


def test_courses_are_deterministic():
    assert list(_courses(3, 200)) == list(_courses(3, 200))


def test_courses_follow_the_condition_and_the_published_side_effect_rates():
    knowledge = get_knowledge()
    sessions = 0
    effects: Counter[str] = Counter()
    per_course = []
    for _episode, course in _courses(11):
        per_course.append(len(course.sessions))
        for session in course.sessions:
            sessions += 1
            effects.update(session.side_effects)
            assert session.ended_at <= NOW  # nothing in the future
            assert derive_cpt(needled=[(i.muscle_id, i.side) for i in session.insertions]).code in {"20560", "20561"}
            for insertion in session.insertions:
                assert insertion.muscle_id in knowledge.muscles
                assert 15 <= insertion.seconds <= 30
        assert course.screened_at <= NOW
        for finding in course.findings:
            assert finding.muscle_id in knowledge.muscles
    assert max(per_course) <= 6
    assert sessions > 2000
    rates = dict(side_effect_rates())
    assert rates["bruising"] == pytest.approx(0.0755)
    # Within a few standard errors of Brady 2014's per-treatment rates.
    assert effects["bruising"] / sessions == pytest.approx(0.0755, abs=0.015)
    assert effects["bleeding"] / sessions == pytest.approx(0.0465, abs=0.012)
    assert effects["pneumothorax"] == 0
