"""Seeded follow-up for synthetic courses: check-ins with realistic non-response and outcome
trajectories that improve on average as the evidence says, with noise and non-responders.

Pain starts at NPRS 2-9 and, for about 60% of patients (responders), falls by 2-4 points by
week 4 (beyond the MCID of 2, instruments.yaml) with a partial return by week 12 (the benefit
lasts up to about 12 weeks: Sanchez-Infante 2021, Gattie 2017); non-responders drift within
±1. Response rates fall from 70% (24-48 h) to 45% (12 weeks), as in routine outcome collection.

Planted effects (issue 12) that "What predicts response" must find: whether a patient responds is
drawn with log-odds RESPONSE_LOG_ODDS + log(RESPONSE_ODDS_PER_PAIN_BAND) × (baseline pain band − 1)
+ log(RESPONSE_ODDS_TWITCH) × (a twitch response was obtained), the bands being NPRS 0-3, 4-6 and
7-10 (the source article: the benefit depends on the pain level and on the twitch responses).
Nothing else changes the odds. The measured response (the stored MCID verdict) is noisier than
this drawn one, so the analytics find smaller odds ratios than these.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from dryneedling.synthetic.treatment_gen import CourseRecord

RESPONSE = {"soreness": 0.70, "week_1": 0.65, "week_4": 0.55, "week_12": 0.45}
WEEKS = (("week_1", 7), ("week_4", 28), ("week_12", 84))
ADHERENCE = ("never", "some_days", "most_days", "every_day")
RESPONSE_LOG_ODDS = math.log(0.6)  # a middle-band (NPRS 4-6) patient without a twitch response
RESPONSE_ODDS_PER_PAIN_BAND = 3.0  # odds ratio of response per baseline pain band higher
RESPONSE_ODDS_TWITCH = 4.0  # odds ratio of response when a twitch response was obtained
ACTIVITIES = ("Work at a desk", "Sleep through the night", "Lift a bag of shopping")  # the PSFS takes 3 to 5


@dataclass(frozen=True, slots=True)
class CheckInRecord:
    session_index: int
    kind: str
    due_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    answers: dict[str, object] | None
    # soreness check-ins: (hours after the session, score, recorded at, "clinic" or "patient")
    readings: tuple[tuple[int, int, datetime, str], ...] = ()


@dataclass(frozen=True, slots=True)
class FollowUpRecord:
    baseline_pain: int
    baseline_psfs: float
    course_completed_at: datetime | None
    check_ins: tuple[CheckInRecord, ...]


def _clamp(value: float, low: int, high: int) -> int:
    return int(max(low, min(high, round(value))))


def _by(answered: datetime, now: datetime) -> datetime | None:
    """An answer drawn for a time still ahead has not come yet: the check-in is open."""
    return answered if answered <= now else None


def _nearest_hours(elapsed_hours: float) -> int:
    return 24 if elapsed_hours < 36 else 48 if elapsed_hours < 60 else 72


def soreness_readings(
    *, anchor: datetime, answered: datetime | None, answers: dict[str, object] | None, now: datetime
) -> tuple[tuple[int, int, datetime, str], ...]:
    """A session's soreness readings (issue 11): the clinician's 0 h one, the patient's first at the
    time they answered the check-in (its score), and later ones that mostly settle. Drawn from a
    generator of their own, seeded by the session's time, so the rest of the seed stays as it was."""
    sore = random.Random(f"soreness-{anchor.isoformat()}")
    start = sore.randint(2, 7)
    rows = [(0, start, anchor, "clinic")]
    if answered is None or answers is None or not isinstance(answers.get("soreness"), int):
        return tuple(rows)
    first_hours = _nearest_hours((answered - anchor).total_seconds() / 3600)
    score = int(answers["soreness"])  # type: ignore[call-overload]
    rows.append((first_hours, score, answered, "patient"))
    for hours in (48, 72):
        if hours <= first_hours or sore.random() > 0.6:
            continue
        score = _clamp(score - sore.choice((0, 1, 1, 2)), 0, 10)
        at = anchor + timedelta(hours=hours + sore.uniform(-6, 6))
        if at <= now:
            rows.append((hours, score, at, "patient"))
    return tuple(rows)


def response_probability(baseline_pain: int, twitch: bool) -> float:
    """The planted chance of responding (see the module's docstring)."""
    band = 0 if baseline_pain <= 3 else 1 if baseline_pain <= 6 else 2
    log_odds = (
        RESPONSE_LOG_ODDS
        + math.log(RESPONSE_ODDS_PER_PAIN_BAND) * (band - 1)
        + math.log(RESPONSE_ODDS_TWITCH) * (1 if twitch else 0)
    )
    return 1 / (1 + math.exp(-log_odds))


def generate_followup(*, course: CourseRecord, rng: random.Random, now: datetime) -> FollowUpRecord:
    baseline = rng.randint(2, 9)
    psfs = round(rng.uniform(2.5, 5.5), 1)
    responder = rng.random() < response_probability(baseline, course.twitch_obtained)
    drop = rng.uniform(2, 4) if responder else rng.uniform(-1, 1)
    check_ins: list[CheckInRecord] = []
    for index, session in enumerate(course.sessions):
        anchor = session.started_at + timedelta(minutes=20)
        due, expires = anchor + timedelta(hours=24), anchor + timedelta(hours=96)
        answered = None
        answers = None
        if due <= now and rng.random() < RESPONSE["soreness"]:
            answered = _by(due + timedelta(hours=rng.uniform(0, 30)), now)
            effects = [e for e in ("pain_after", "bruising") if rng.random() < (0.6 if e == "pain_after" else 0.1)]
            answers = {
                "red_flags": [],
                "soreness": rng.randint(0, 5),
                "side_effects": effects,
                "resolved": rng.choice(("yes", "yes", "no")) if effects else "none",
            }
        kept = answers if answered else None
        readings = soreness_readings(anchor=anchor, answered=answered, answers=kept, now=now)
        check_ins.append(CheckInRecord(index, "soreness", due, expires, answered, kept, readings))
    completed = None
    if course.sessions:
        last = course.sessions[-1].started_at + timedelta(minutes=20)
        if last + timedelta(days=3) <= now:
            completed = last + timedelta(days=rng.randint(1, 3))
            for kind, days in WEEKS:
                due = last + timedelta(days=days)
                expires = due + timedelta(days=21 if kind == "week_12" else 14)
                answered, answers = None, None
                if due <= now and rng.random() < RESPONSE[kind]:
                    answered = _by(due + timedelta(hours=rng.uniform(1, 72)), now)
                    share = {"week_1": 0.6, "week_4": 1.0, "week_12": 0.7}[kind]
                    pain = _clamp(baseline - drop * share + rng.gauss(0, 0.8), 0, 10)
                    score = _clamp(psfs + (drop * share * 0.9 if responder else 0) + rng.gauss(0, 0.7), 0, 10)
                    groc = _clamp((3 + rng.gauss(1, 1.5)) if responder else rng.gauss(0, 1.5), -7, 7)
                    answers = {
                        "red_flags": [],
                        "pain": pain,
                        "activities": [
                            {"name": name, "score": _clamp(score + rng.gauss(0, 0.8), 0, 10)} for name in ACTIVITIES
                        ],
                        "groc": groc,
                        "adherence": rng.choice(ADHERENCE[1:] if responder else ADHERENCE),
                    }
                last_index = len(course.sessions) - 1
                check_ins.append(CheckInRecord(last_index, kind, due, expires, answered, answers if answered else None))
    return FollowUpRecord(baseline, psfs, completed, tuple(check_ins))
