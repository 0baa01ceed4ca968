"""Bulk-load generated records into the database, in batches, one transaction per batch."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime
from itertools import islice
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.dbstats import planner_statistics_refresh
from dryneedling.accounts.models import Clinic, User
from dryneedling.patients.models import Episode, EpisodeCondition, Patient
from dryneedling.patients.services import mrns_reserve
from dryneedling.patients.services_search import search_terms_rebuild
from dryneedling.synthetic.generator import PatientRecord, generate_patients
from dryneedling.synthetic.treatment_loader import insert_courses, synthetic_clinicians

BATCH = 2000
Progress = Callable[[int], None]


def _insert_batch(
    clinic: Clinic,
    records: list[PatientRecord],
    *,
    clinicians: list[User] | None,
    rng: random.Random,
    today: date,
    now: datetime,
) -> dict[str, int]:
    patients = Patient.objects.bulk_create(
        [
            Patient(
                clinic=clinic,
                mrn=r.mrn,
                given_name=r.given_name,
                family_name=r.family_name,
                date_of_birth=r.date_of_birth,
                sex=r.sex,
                phone=r.phone,
                email=r.email,
                address=r.address,
                created_at=now,
                updated_at=now,
            )
            for r in records
        ],
        batch_size=BATCH,
    )
    search_terms_rebuild(clinic_id=clinic.pk, patient_ids=[p.pk for p in patients])  # issue 14: searchable
    episodes: list[Episode] = []
    episode_codes: list[tuple[tuple[str, str], ...]] = []
    for patient, record in zip(patients, records, strict=True):
        for e in record.episodes:
            episodes.append(
                Episode(
                    clinic=clinic,
                    patient=patient,
                    reason=e.reason,
                    referral_source=e.referral_source,
                    start_date=e.start_date,
                    end_date=e.end_date,
                    status=e.status,
                    created_at=now,
                    updated_at=now,
                )
            )
            episode_codes.append(e.conditions)
    Episode.objects.bulk_create(episodes, batch_size=BATCH)
    conditions = [
        EpisodeCondition(episode=episode, code=code, text=text, position=position)
        for episode, codes in zip(episodes, episode_codes, strict=True)
        for position, (code, text) in enumerate(codes)
    ]
    EpisodeCondition.objects.bulk_create(conditions, batch_size=BATCH)
    counts = {"patients": len(patients), "episodes": len(episodes)}
    if clinicians:
        counts |= insert_courses(
            clinic=clinic,
            clinicians=clinicians,
            patients=patients,
            episodes=episodes,
            records=records,
            rng=rng,
            today=today,
            now=now,
        )
    return counts


def seed_clinic(
    *,
    clinic: Clinic,
    patients: int,
    seed: int,
    actor: User | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    treatment: bool = True,
    clinic_mrns: bool = False,
) -> dict[str, int]:
    """Insert `patients` synthetic patients (with episodes) into `clinic`. Idempotence guard:
    the same seed cannot be loaded twice into one clinic (MRNs would collide).

    Nothing clinical is dated after `now` (default: the moment of the call); dates are the
    clinic's. MRNs are `SYN<seed>-NNNNNNN`, or with `clinic_mrns` (the demo) the clinic's own
    automatic series, which the next registered patient continues."""
    if patients < 1:
        raise ValidationError("--patients must be at least 1.")
    prefix = f"SYN{seed}-"
    if Patient.objects.for_clinic(clinic).filter(mrn__startswith=prefix).exists():
        raise ValidationError(
            f"Clinic {clinic.slug!r} already holds synthetic patients of seed {seed}; choose another --seed."
        )
    now = now or timezone.now()
    today = timezone.localdate(now, ZoneInfo(clinic.time_zone))
    mrns = mrns_reserve(clinic=clinic, count=patients) if clinic_mrns else ()
    records = generate_patients(count=patients, seed=seed, today=today, mrn_prefix=prefix, mrns=mrns)
    rng = random.Random(seed * 7919 + 1)  # the clinical course stream, separate from the patients'
    clinicians = synthetic_clinicians(clinic) if treatment else None
    totals: dict[str, int] = {}
    while True:
        batch = list(islice(records, BATCH))
        if not batch:
            break
        with transaction.atomic():
            counts = _insert_batch(clinic, batch, clinicians=clinicians, rng=rng, today=today, now=now)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        if progress is not None:
            progress(counts["patients"])
    with transaction.atomic():
        audit_record(actor=actor, action="synthetic.seed", clinic=clinic, obj=clinic, detail={"seed": seed, **totals})
    connection = transaction.get_connection()
    if not connection.in_atomic_block or connection.vendor == "postgresql":
        planner_statistics_refresh(full=True)  # a bulk load: the planner needs to know the new sizes
    return totals
