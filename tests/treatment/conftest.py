from __future__ import annotations

from datetime import date

import pytest

from tests.intake.test_screening_records import NO_FLAGS


@pytest.fixture
def episode_a(alice, patient_a):  # type: ignore[no-untyped-def]
    return patient_a.episodes.get()


@pytest.fixture
def ready_episode(alice, patient_a, episode_a):  # type: ignore[no-untyped-def]
    """An episode whose patient is screened (suitable) and has consent on file."""
    from dryneedling.intake.services import screening_record
    from dryneedling.treatment.services.chart import consent_record

    screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS)
    consent_record(actor=alice, patient=patient_a, signed_name="Zelda Quimby", covers_chest_and_neck=True)
    return episode_a


CHECKLIST = {
    "new_anticoagulants": False,
    "possibly_pregnant": False,
    "new_symptoms": False,
    "new_medication": False,
    "position": "prone",
}


@pytest.fixture
def session_a(alice, ready_episode):  # type: ignore[no-untyped-def]
    from dryneedling.treatment.services.session import session_start

    return session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")


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
    from dryneedling.treatment.services.session import insertion_record

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
