from __future__ import annotations

from datetime import date

import pytest

from tests.intake.test_screening_records import NO_FLAGS


@pytest.fixture
def episode_a(alice, patient_a):  # type: ignore[no-untyped-def]
    return patient_a.episodes.get()


def ensure_trained(clinician):  # type: ignore[no-untyped-def]
    """A profession and 60 h of dry-needling training on file: what the generic jurisdiction's clinic
    policy asks before a clinician may start a session."""
    from dryneedling.safetyrecords.models import TrainingRecord
    from dryneedling.safetyrecords.services import clinician_profile_set, training_record_add

    if TrainingRecord.objects.filter(clinician=clinician).exists():
        return clinician
    clinician_profile_set(actor=clinician, clinician=clinician, profession="physical_therapist")
    training_record_add(
        actor=clinician,
        clinician=clinician,
        course="Trigger point dry needling, levels 1-2",
        provider="Test Institute",
        hours=60,
        completed_on=date(2024, 3, 1),
        covers_electrical=True,
    )
    return clinician


@pytest.fixture
def ready_episode(alice, patient_a, episode_a):  # type: ignore[no-untyped-def]
    """An episode whose patient is screened (suitable) and has consent on file, treated by a trained Alice."""
    from dryneedling.intake.services import screening_record
    from dryneedling.treatment.services.chart import consent_record, optional_consent_items

    ensure_trained(alice)
    screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS)
    consent_record(actor=alice, patient=patient_a, signed_name="Zelda Quimby", optional_items=optional_consent_items())
    return episode_a


CHECKLIST = {
    "new_anticoagulants": False,
    "possibly_pregnant": False,
    "new_symptoms": False,
    "new_medication": False,
    "position": "prone",
}


def start_session(actor, episode, **overrides):  # type: ignore[no-untyped-def]
    """Start a session and do the clean-technique checklist, ready for the first point."""
    from dryneedling.care.session import session_start
    from dryneedling.clinical.clean_technique import CLEAN_TECHNIQUE
    from dryneedling.treatment.services.session import session_clean_technique_record

    kwargs = {"checklist": CHECKLIST, "payer": "commercial"} | overrides
    session = session_start(actor=actor, episode=episode, **kwargs)
    return session_clean_technique_record(
        actor=actor, session=session, expected_version=session.version, ticked=[i.id for i in CLEAN_TECHNIQUE]
    )


def finish(actor, session, *, used=None, removed=None):  # type: ignore[no-untyped-def]
    """Complete a session with a needle count that balances (one needle a point, unless given)."""
    from dryneedling.care.session import session_complete

    session.refresh_from_db()
    points = session.insertions.count()
    used = points if used is None else used
    removed = used if removed is None else removed
    return session_complete(
        actor=actor, session=session, expected_version=session.version, needles_used=used, needles_removed=removed
    )


@pytest.fixture
def session_a(alice, ready_episode):  # type: ignore[no-untyped-def]
    return start_session(alice, ready_episode)


def plan(**overrides):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from dryneedling.treatment.services.session import InsertionPlan

    values = {
        "muscle_id": "gluteus_medius",
        "side": "right",
        "technique": "pistoning",
        "needle_diameter_mm": Decimal("0.30"),
        "needle_length_mm": 50,
    }
    return InsertionPlan(**(values | overrides))


def record(actor, session, **overrides):  # type: ignore[no-untyped-def]
    from dryneedling.care.session import insertion_record

    session.refresh_from_db()
    kwargs = {"planned_seconds": 30, "actual_seconds": 28, "twitch_count": 2}
    override_reason = overrides.pop("override_reason", "")
    return insertion_record(
        actor=actor,
        session=session,
        expected_version=session.version,
        plan=plan(**overrides),
        override_reason=override_reason,
        **kwargs,
    )


TODAY = date.today()


def sign_note(actor, session):  # type: ignore[no-untyped-def]
    """Complete the session if it is still open and sign its note: only a session whose note is
    signed has a superbill (issue 11), so tests of the bill sign first."""
    from dryneedling.treatment.models import Note
    from dryneedling.treatment.services.note import note_sign

    session.refresh_from_db()
    if session.ended_at is None:
        finish(actor, session)
    note = Note.unscoped.get(session=session)
    if note.signed_at is None:
        note_sign(actor=actor, session_id=session.pk, expected_version=note.version)
    session.refresh_from_db()
    return session


CLINIC_NPI, CLINICIAN_NPI, TAX_ID = "1245319599", "1679576722", "12-3456789"


def claim_identity(clinician, *, slug: str = "clinic-a"):  # type: ignore[no-untyped-def]
    """What a claim needs on file (issue 11): the clinic's address, phone, NPI and tax ID, and the
    clinician's credentials and individual NPI (both NPIs pass the check digit)."""
    from dryneedling.accounts.models import Clinic
    from dryneedling.safetyrecords.services import clinician_profile_set

    Clinic.objects.filter(slug=slug).update(
        address="1 Main St, Springfield", phone="555-0199", npi=CLINIC_NPI, tax_id=TAX_ID, place_of_service="11"
    )
    clinician_profile_set(
        actor=clinician, clinician=clinician, profession="physical_therapist", credentials="PT, DPT", npi=CLINICIAN_NPI
    )
