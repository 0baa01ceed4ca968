"""The seeder's raw bulk writes (issue 14): a constant number of statements a batch, whatever its
size; ids that a later ORM insert continues after; columns as the ORM stores and reads them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection

from dryneedling.accounts.services import clinic_create
from dryneedling.followup.models import CheckIn, OutcomeRecord
from dryneedling.patients.models import Episode, Patient
from dryneedling.synthetic import loader
from dryneedling.synthetic.loader import seed_clinic
from dryneedling.treatment.models import Insertion, Session, main_technique_of

NOW = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)


def _statements(slug: str, patients: int) -> int:
    """Statements sent while seeding `patients` into a new clinic (its clinicians made first)."""
    from dryneedling.synthetic.treatment_loader import synthetic_clinicians

    clinic = clinic_create(name=slug.title(), slug=slug)
    synthetic_clinicians(clinic)
    count = 0

    def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        seed_clinic(clinic=clinic, patients=patients, seed=3, now=NOW)
    return count


@pytest.mark.django_db
def test_a_batch_costs_the_same_statements_for_10_or_60_patients(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(loader, "WRITE_BATCH", 60)
    one_small_batch = _statements("small", 10)
    one_large_batch = _statements("large", 60)
    assert one_small_batch == one_large_batch  # statements a batch, never a row
    monkeypatch.setattr(loader, "WRITE_BATCH", 20)
    three_batches = _statements("three", 60)
    per_batch = (three_batches - one_small_batch) / 2
    assert per_batch <= 30, per_batch  # ~14 tables + 6 id reservations + the rules of the clinic


@pytest.mark.django_db
def test_an_orm_insert_after_the_seed_continues_the_ids(alice):  # type: ignore[no-untyped-def]
    clinic = alice.membership.clinic
    seed_clinic(clinic=clinic, patients=30, seed=4, now=NOW)
    last = Patient.objects.for_clinic(clinic).order_by("-pk").first()
    assert last is not None
    patient = Patient.objects.create(
        clinic=clinic, mrn="AFTER-1", given_name="Ann", family_name="After", date_of_birth=NOW.date(), sex="female"
    )
    episode = Episode.objects.create(clinic=clinic, patient=patient, reason="Neck pain", start_date=NOW.date())
    assert patient.pk > last.pk
    assert episode.pk > Episode.objects.for_clinic(clinic).exclude(pk=episode.pk).order_by("-pk").first().pk  # type: ignore[union-attr]


@pytest.mark.django_db
def test_seeded_columns_read_back_as_the_orm_wrote_them(alice):  # type: ignore[no-untyped-def]
    clinic = alice.membership.clinic
    seed_clinic(clinic=clinic, patients=40, seed=6, now=NOW)
    session = Session.objects.for_clinic(clinic).order_by("pk").first()
    assert session is not None
    assert session.started_at.tzinfo is not None and session.started_at <= NOW
    assert session.checklist["position"] == "prone"  # JSON, not a string holding JSON
    assert session.updated_at == session.ended_at
    insertion = Insertion.objects.for_clinic(clinic).filter(session=session).first()
    assert insertion is not None and isinstance(insertion.needle_diameter_mm, Decimal)
    techniques = Insertion.objects.for_clinic(clinic).filter(session=session).values_list("technique", flat=True)
    assert session.main_technique == main_technique_of(techniques)  # what the insertion signal keeps
    # SQL NULL, not JSON null, for an unanswered check-in and a baseline's verdict
    assert CheckIn.objects.for_clinic(clinic).filter(answered_at__isnull=True, answers__isnull=True).exists()
    assert not CheckIn.objects.for_clinic(clinic).filter(answered_at__isnull=True, answers__isnull=False).exists()
    records = list(OutcomeRecord.objects.for_clinic(clinic).select_related("episode"))
    assert any(r.verdict is None for r in records) and any(r.verdict for r in records)
    for record in records:  # the derived columns, as save() would set them
        stored = (record.window, record.baseline, record.responder)
        record.derive(record.episode.course_completed_at)
        assert (record.window, record.baseline, record.responder) == stored


def _course_columns(clinic):  # type: ignore[no-untyped-def]
    """What the seed wrote for a clinic, without its ids and clinic."""
    sessions = Session.objects.for_clinic(clinic).order_by("pk")
    return (
        list(Patient.objects.for_clinic(clinic).order_by("pk").values_list("mrn", "given_name", "date_of_birth")),
        list(sessions.values_list("started_at", "ended_at", "main_technique", "note__assessment", "note__plan")),
        list(Insertion.objects.for_clinic(clinic).order_by("pk").values_list("muscle_id", "side", "actual_seconds")),
        list(OutcomeRecord.objects.for_clinic(clinic).order_by("pk").values_list("instrument_id", "value", "window")),
    )


@pytest.mark.django_db
def test_rows_made_in_a_second_process_are_the_same_rows(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(loader, "WRITE_BATCH", 20)  # three write batches
    here, forked = clinic_create(name="Here", slug="here"), clinic_create(name="Forked", slug="forked")
    assert seed_clinic(clinic=here, patients=50, seed=8, now=NOW, fork=False) == seed_clinic(
        clinic=forked, patients=50, seed=8, now=NOW, fork=True
    )
    assert _course_columns(here) == _course_columns(forked)


@pytest.mark.django_db
def test_an_error_in_the_second_process_is_raised_and_the_batches_before_it_kept(monkeypatch):  # type: ignore[no-untyped-def]
    from dryneedling.synthetic import treatment_loader

    monkeypatch.setattr(loader, "WRITE_BATCH", 20)
    made = 0
    course_rows = treatment_loader.course_rows

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal made  # counted in the child process
        made += 1
        if made == 2:
            raise ValueError("the second batch cannot be made")
        return course_rows(*args, **kwargs)

    monkeypatch.setattr(loader, "course_rows", failing)
    clinic = clinic_create(name="Broken", slug="broken")
    with pytest.raises(ValueError, match="second batch"):
        seed_clinic(clinic=clinic, patients=50, seed=9, now=NOW, fork=True)
    assert Patient.objects.for_clinic(clinic).count() == 20  # the first batch's transaction committed
