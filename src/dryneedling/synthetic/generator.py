"""Pure, seeded generators. Same seed and count give the same records on every machine."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dryneedling.synthetic.catalogue import CONDITIONS, FAMILY, GIVEN_FEMALE, GIVEN_MALE, STREETS, TOWNS

REFERRAL_WEIGHTS = (
    ("self", 40),
    ("physician", 35),
    ("physiotherapist", 8),
    ("chiropractor", 7),
    ("insurer", 6),
    ("other", 4),
)


@dataclass(frozen=True, slots=True)
class EpisodeRecord:
    reason: str
    referral_source: str
    start_date: date
    end_date: date | None
    status: str
    conditions: tuple[tuple[str, str], ...]
    condition_key: str


@dataclass(frozen=True, slots=True)
class PatientRecord:
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    phone: str
    email: str
    address: str
    episodes: tuple[EpisodeRecord, ...]


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _episode(rng: random.Random, *, start: date, today: date, age: int) -> EpisodeRecord:
    suitable = [c for c in CONDITIONS if c.age_range[0] <= age <= c.age_range[1]] or list(CONDITIONS)
    template = rng.choices(suitable, weights=[c.weight for c in suitable])[0]
    codes = [rng.choice(template.codes)]
    if len(template.codes) > 1 and rng.random() < 0.15:  # a second code of the same complaint
        extra = rng.choice(template.codes)
        if extra != codes[0] and extra[0][:5] != codes[0][0][:5]:
            codes.append(extra)
    days_open = (today - start).days
    if days_open > 120 or (days_open > 42 and rng.random() < 0.7):
        status, end = "discharged", start + timedelta(days=rng.randint(21, min(days_open, 110)))
    elif rng.random() < 0.08:
        status, end = "on_hold", None
    else:
        status, end = "active", None
    return EpisodeRecord(
        reason=template.reason,
        referral_source=_weighted(rng, REFERRAL_WEIGHTS),
        start_date=start,
        end_date=end,
        status=status,
        conditions=tuple(codes),
        condition_key=template.key,
    )


def generate_patients(
    *, count: int, seed: int, today: date, mrn_prefix: str = "SYN", mrns: Sequence[str] = ()
) -> Iterator[PatientRecord]:
    """Yield `count` patients. Adults 18-88 (a few teenagers), 1-3 episodes over the last 3 years.
    MRNs: `mrns` in order when given (the clinic's own series), else `<mrn_prefix>NNNNNNN`."""
    rng = random.Random(seed)
    for index in range(count):
        sex = "female" if rng.random() < 0.55 else "male"
        if rng.random() < 0.005:
            sex = "other"
        age = rng.randint(14, 17) if rng.random() < 0.03 else int(min(88, max(18, rng.gauss(48, 15))))
        birth = today - timedelta(days=age * 365 + rng.randint(0, 364))
        given = rng.choice(
            GIVEN_FEMALE if sex == "female" else GIVEN_MALE if sex == "male" else GIVEN_FEMALE + GIVEN_MALE
        )
        family = rng.choice(FAMILY)
        n_episodes = rng.choices((1, 2, 3), weights=(75, 20, 5))[0]
        starts = sorted(today - timedelta(days=rng.randint(0, 3 * 365)) for _ in range(n_episodes))
        episodes = tuple(_episode(rng, start=s, today=today, age=age) for s in starts)
        yield PatientRecord(
            mrn=mrns[index] if mrns else f"{mrn_prefix}{index + 1:07d}",
            given_name=given,
            family_name=family,
            date_of_birth=birth,
            sex=sex,
            phone=f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
            email=f"{given.lower()}.{family.lower()}{rng.randint(1, 999)}@example.test",
            address=f"{rng.randint(1, 9999)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
            episodes=episodes,
        )
