"""Bulk-load generated records into the database, in batches, one short transaction per batch.

A batch's records are drawn (BATCH patients) and turned into rows (tuples, see synthetic.bulk)
outside any transaction; only the writes hold the database's write lock, WRITE_BATCH patients at
a time, so a live clinic keeps serving."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, datetime
from itertools import islice
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.dbstats import planner_statistics_refresh
from dryneedling.accounts.models import Clinic, User
from dryneedling.followup.outcome_rules import Rules, rules_of
from dryneedling.patients.models import Episode, EpisodeCondition, Patient, PatientSearchTerm
from dryneedling.patients.search import patient_search_terms
from dryneedling.patients.services import mrns_reserve
from dryneedling.synthetic.bulk import Row, Table, convert_batch, write_batch
from dryneedling.synthetic.followup_gen import FollowUpRecord
from dryneedling.synthetic.generator import PatientRecord, generate_patients
from dryneedling.synthetic.pipeline import produced
from dryneedling.synthetic.treatment_loader import COURSE_TABLES, Drawn, course_rows, draw_courses, synthetic_clinicians

BATCH = 2000  # patients drawn at a time: the unit of the course stream's draws (keep it: same seed, same data)
WRITE_BATCH = 500  # patients a write transaction (~22,000 rows): short, so a live clinic keeps serving
Progress = Callable[[int], None]

PATIENT_FIELDS = (
    "id", "clinic_id", "mrn", "given_name", "family_name", "date_of_birth", "sex", "phone", "email", "address",
    "created_at", "updated_at",
)  # fmt: skip
PATIENT_TABLES = (
    Table("patient", Patient, PATIENT_FIELDS, refs={"id": "patient"}),
    Table(
        "episode",
        Episode,
        (
            "id",
            "clinic_id",
            "patient_id",
            "reason",
            "referral_source",
            "start_date",
            "end_date",
            "status",
            "course_completed_at",
            "created_at",
            "updated_at",
        ),  # fmt: skip
        refs={"id": "episode", "patient_id": "patient"},
    ),
    Table("condition", EpisodeCondition, ("episode_id", "code", "text", "position"), refs={"episode_id": "episode"}),
    Table("search_term", PatientSearchTerm, ("clinic_id", "patient_id", "term"), refs={"patient_id": "patient"}),
)


def patient_row(local_id: int, clinic_id: int, record: PatientRecord, now: datetime) -> Row:
    """A patient's row, in PATIENT_FIELDS order: the one place a patient's columns are built
    (a derived column, e.g. a normalised search name, goes here and in PATIENT_FIELDS)."""
    return (
        local_id, clinic_id, record.mrn, record.given_name, record.family_name, record.date_of_birth, record.sex,
        record.phone, record.email, record.address, now, now,
    )  # fmt: skip


def record_search_terms(record: PatientRecord) -> list[str]:
    """The patient's search terms (patients/search.py): seeded patients are found like registered ones."""
    return patient_search_terms(
        given_name=record.given_name, family_name=record.family_name, mrn=record.mrn, phone=record.phone,
        email=record.email, date_of_birth=record.date_of_birth,
    )  # fmt: skip


def _batch_rows(
    clinic: Clinic,
    records: list[PatientRecord],
    *,
    clinicians: list[User] | None,
    drawn: Drawn | None,
    follow: dict[int, FollowUpRecord],
    today: date,
    now: datetime,
    rules: Rules,
) -> tuple[dict[str, list[Row]], dict[str, int]]:
    """The rows of one batch of patients, with local ids (synthetic.bulk), and their counts."""
    rows: dict[str, list[Row]] = {t.key: [] for t in (*PATIENT_TABLES, *COURSE_TABLES)}
    patients, episodes, conditions, terms = rows["patient"], rows["episode"], rows["condition"], rows["search_term"]
    completed: dict[int, datetime] = {}  # local episode id → end of course, known once follow-up is drawn
    counts = {"patients": len(records), "episodes": 0}
    if clinicians and drawn is not None:
        counts |= course_rows(
            rows, clinic=clinic, clinicians=clinicians, records=records, drawn=drawn, follow=follow, today=today,
            now=now, completed=completed, rules=rules,
        )  # fmt: skip
    episode_id = 0
    for patient_id, record in enumerate(records):
        patients.append(patient_row(patient_id, clinic.pk, record, now))
        terms.extend((clinic.pk, patient_id, term) for term in record_search_terms(record))
        for e in record.episodes:
            episodes.append(
                (
                    episode_id,
                    clinic.pk,
                    patient_id,
                    e.reason,
                    e.referral_source,
                    e.start_date,
                    e.end_date,
                    e.status,
                    completed.get(episode_id),
                    now,
                    now,
                )  # fmt: skip
            )
            for position, (code, text) in enumerate(e.conditions):
                conditions.append((episode_id, code, text, position))
            episode_id += 1
    counts["episodes"] = episode_id
    return rows, counts


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
    fork: bool | None = None,
) -> dict[str, int]:
    """Insert `patients` synthetic patients (with episodes) into `clinic`. Idempotence guard:
    the same seed cannot be loaded twice into one clinic (MRNs would collide).

    Nothing clinical is dated after `now` (default: the moment of the call); dates are the
    clinic's. MRNs are `SYN<seed>-NNNNNNN`, or with `clinic_mrns` (the demo) the clinic's own
    automatic series, which the next registered patient continues. With `fork` (default: when
    there is more than one write batch) the rows are made in a second process (synthetic.pipeline)
    while this one writes: the same rows, on two cores."""
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
    rules = rules_of(clinic_id=clinic.pk)  # read here: the rows are built without the database
    tables = (*PATIENT_TABLES, *COURSE_TABLES)
    vendor = transaction.get_connection().vendor
    totals: dict[str, int] = {}

    def batches() -> Iterator[tuple[dict[str, list[Row]], dict[str, int]]]:
        """Each write batch's rows, in order: draws BATCH patients at a time, outside any transaction."""
        while True:
            batch = list(islice(records, BATCH))
            if not batch:
                return
            drawn, follow = draw_courses(batch, rng=rng, now=now) if clinicians else (None, {})
            for start in range(0, len(batch), WRITE_BATCH):
                part = slice(start, start + WRITE_BATCH)
                rows, counts = _batch_rows(
                    clinic, batch[part], clinicians=clinicians, drawn=drawn and drawn[part], follow=follow,
                    today=today, now=now, rules=rules,
                )  # fmt: skip
                convert_batch(tables, rows, vendor)  # here: in the second process when there is one
                yield rows, counts

    if fork is None:
        fork = patients > WRITE_BATCH  # one batch: nothing to overlap
    for rows, counts in produced(batches, fork=fork):
        with transaction.atomic():
            write_batch(tables, rows, converted=True)
        del rows
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
