"""Seeded courses of dry needling for synthetic episodes: findings, sessions, insertions, side effects.

Side effects are drawn per session at the per-treatment rates of Brady 2014 carried by the
knowledge base (`percent_of_treatments` rates with source brady_2014), so the synthetic caseload
reproduces the published figures and the safety reports have something true to compare.

Planted effects (issue 12) that the clinic's analytics must find, as explicit constants:

- `SYNTHETIC_CLINICIANS` clinicians share the courses at random; clinician number
  `DOUBLED_SIDE_EFFECT_CLINICIAN` (0-based) has every side effect at `SIDE_EFFECT_RATE_RATIO`
  (2) times Brady's per-treatment rate, so the per-clinician funnel plot must place them above
  the clinic's 95% limit; the others are at Brady's rates.
- A share `TWITCH_FREE_SHARE` of courses obtains no local twitch response at all; in the rest,
  twitches per insertion follow an exponential draw as before. followup_gen makes response more
  likely when a twitch was obtained (`followup_gen.RESPONSE_ODDS_TWITCH`).
- Each course has one technique (`TECHNIQUE_WEIGHTS`), pistoning or static retention (electrical
  needling is not synthesised: it needs paired leads and device settings). No effect is planted
  on technique, on the number of trigger points or on the number of sessions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache

from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.referral import trigger_point_markers
from dryneedling.synthetic.generator import EpisodeRecord

KB_CONDITION = {
    "low_back_pain": "low_back_pain",
    "sciatica": "sciatica_like_pain",
    "neck_pain": "neck_pain",
    "muscle_strain": "muscle_strain",
    "shoulder_pain": "shoulder_pain",
    "rotator_cuff": "shoulder_pain",
    "knee_pain": "knee_pain",
    "hip_pain": "hip_pain",
    "plantar_heel_pain": "plantar_heel_pain",
}
TREATED_SHARE = 0.6  # share of episodes that include dry needling (the rest: other physical therapy)
SYNTHETIC_CLINICIANS = 3  # clinicians sharing the courses (the loader maps the numbers to users)
DOUBLED_SIDE_EFFECT_CLINICIAN = 2  # this clinician's side-effect rates are SIDE_EFFECT_RATE_RATIO × Brady's
SIDE_EFFECT_RATE_RATIO = 2.0
TWITCH_FREE_SHARE = 0.35  # courses in which no local twitch response is obtained
TECHNIQUE_WEIGHTS = (("pistoning", 70), ("static", 30))


@dataclass(frozen=True, slots=True)
class FindingRecord:
    muscle_id: str
    side: str
    view: str
    x: float
    y: float
    status: str
    tenderness: int
    taut_band: bool
    familiar_pain: bool


@dataclass(frozen=True, slots=True)
class InsertionRecord:
    muscle_id: str
    side: str
    handling: str
    needle_diameter_mm: str
    needle_length_mm: int
    seconds: int
    twitch_count: int
    technique: str = "pistoning"


@dataclass(frozen=True, slots=True)
class SessionRecord:
    started_at: datetime
    insertions: tuple[InsertionRecord, ...]
    side_effects: tuple[str, ...]

    @property
    def ended_at(self) -> datetime:
        """8 minutes plus 2 a needle: set-up, insertions and removal."""
        return self.started_at + timedelta(minutes=8 + 2 * len(self.insertions))


@dataclass(frozen=True, slots=True)
class CourseRecord:
    condition_id: str
    screened_at: datetime
    anticoagulants: bool
    findings: tuple[FindingRecord, ...]
    sessions: tuple[SessionRecord, ...]
    clinician: int = 0  # which of the SYNTHETIC_CLINICIANS treats the course
    technique: str = "pistoning"

    @property
    def twitch_obtained(self) -> bool:
        return any(i.twitch_count > 0 for s in self.sessions for i in s.insertions)


@cache
def side_effect_rates() -> tuple[tuple[str, float], ...]:
    """(side effect id, probability per session) from the knowledge base's Brady 2014 rates."""
    out = []
    for effect in get_knowledge().side_effects.values():
        if effect.id.startswith("any_"):
            continue
        for rate in effect.rates:
            if rate.source == "brady_2014" and rate.unit == "percent_of_treatments" and rate.value:
                out.append((effect.id, rate.value / 100))
    return tuple(out)


def _side(episode: EpisodeRecord, rng: random.Random) -> str:
    text = " ".join(t for _, t in episode.conditions).lower()
    if "right" in text:
        return "right"
    if "left" in text:
        return "left"
    return rng.choice(("left", "right"))


@cache
def _needle(muscle_id: str) -> tuple[str, int, str]:
    muscle = get_knowledge().muscles[muscle_id]
    length = int(muscle.needle.default_length_mm or 30)
    diameter = f"{muscle.needle.default_diameter_mm or 0.25:.2f}"
    handling = (muscle.safe_handling[0] if muscle.safe_handling else "pincer") if muscle.lung_risk else ""
    if muscle.safe_depth_mm:
        length = min(length, int(muscle.safe_depth_mm))
    return diameter, max(13, length), handling


@cache
def _marker(muscle_id: str, side: str) -> tuple[str, float, float]:
    """Where a muscle's first trigger point is drawn on the body chart (a pure lookup, remembered)."""
    marker = trigger_point_markers(muscle_id=muscle_id, side=side)[0]
    return marker["view"], marker["x"], marker["y"]


def generate_course(*, episode: EpisodeRecord, rng: random.Random, now: datetime) -> CourseRecord | None:
    """A course of dry needling for one episode, or None for an untreated episode. Nothing of it
    lies after `now`: the screening is at the latest now, and only sessions already over are kept
    (a course begun today has this morning's session, not this afternoon's)."""
    condition = KB_CONDITION.get(episode.condition_key)
    if condition is None or rng.random() > TREATED_SHARE:
        return None
    muscles = list(get_knowledge().conditions[condition].muscles)
    side = _side(episode, rng)
    clinician = rng.randrange(SYNTHETIC_CLINICIANS)
    ratio = SIDE_EFFECT_RATE_RATIO if clinician == DOUBLED_SIDE_EFFECT_CLINICIAN else 1.0
    technique = rng.choices([t for t, _ in TECHNIQUE_WEIGHTS], weights=[w for _, w in TECHNIQUE_WEIGHTS])[0]
    twitches = rng.random() >= TWITCH_FREE_SHARE
    chosen = rng.sample(muscles, k=min(len(muscles), rng.randint(1, 5)))
    findings = []
    for muscle_id in chosen:
        view, x, y = _marker(muscle_id, side)
        findings.append(
            FindingRecord(
                muscle_id=muscle_id,
                side=side,
                view=view,
                x=x,
                y=y,
                status="active" if rng.random() < 0.7 else "latent",
                tenderness=rng.randint(3, 9),
                taut_band=rng.random() < 0.85,
                familiar_pain=rng.random() < 0.6,
            )
        )
    screened = datetime.combine(episode.start_date, time(9, 0), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 480))
    screened = min(screened, now)
    sessions = []
    when = screened + timedelta(days=rng.randint(0, 3))
    for _ in range(rng.randint(1, 6)):
        if episode.end_date and when.date() > episode.end_date:
            break
        insertions = []
        for finding in findings:
            diameter, length, handling = _needle(finding.muscle_id)
            for _ in range(rng.randint(1, 2)):
                insertions.append(
                    InsertionRecord(
                        muscle_id=finding.muscle_id,
                        side=finding.side,
                        handling=handling,
                        needle_diameter_mm=diameter,
                        needle_length_mm=length,
                        seconds=rng.randint(15, 30),
                        twitch_count=min(12, int(rng.expovariate(0.4))) if twitches else 0,
                        technique=technique,
                    )
                )
        effects = tuple(effect for effect, p in side_effect_rates() if rng.random() < p * ratio)
        session = SessionRecord(started_at=when, insertions=tuple(insertions), side_effects=effects)
        if session.ended_at > now:
            break
        sessions.append(session)
        when += timedelta(days=rng.choice((3, 4, 7, 7)), minutes=rng.randint(-90, 90))
    return CourseRecord(
        condition_id=condition,
        screened_at=screened,
        anticoagulants=rng.random() < 0.08,
        findings=tuple(findings),
        sessions=tuple(sessions),
        clinician=clinician,
        technique=technique,
    )
