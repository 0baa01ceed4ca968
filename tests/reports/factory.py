"""Hand-built records for the analytics selectors: rows written straight to the models (no
services), so a test states exactly how many sessions, side effects and scores there are."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count
from typing import Any

from dryneedling.followup.models import Alert, CheckIn, OutcomeRecord
from dryneedling.intake.models import Screening
from dryneedling.patients.models import Episode, EpisodeCondition, Patient
from dryneedling.treatment.models import AdverseEvent, Consent, Insertion, Session

_ids = count(1)
T0 = datetime.fromisoformat("2026-03-02T10:00:00+00:00")


def patient(clinic: Any) -> Patient:
    n = next(_ids)
    return Patient.objects.create(
        clinic=clinic, mrn=f"T-{n}", given_name=f"Given{n}", family_name=f"Family{n}",
        date_of_birth=date(1980, 1, 1), sex="female",
    )  # fmt: skip


def episode(clinic: Any, *, code: str = "M54.2", completed_at: datetime | None = None) -> Episode:
    found = Episode.objects.create(
        clinic=clinic, patient=patient(clinic), reason="Pain", start_date=date(2026, 3, 1),
        course_completed_at=completed_at,
    )  # fmt: skip
    EpisodeCondition.objects.create(episode=found, code=code, text="Test condition")
    return found


def session(
    episode: Episode,
    clinician: Any,
    *,
    at: datetime = T0,
    effects: tuple[tuple[str, str], ...] = (),
    muscle: str = "upper_trapezius",
    completed: bool = True,
) -> Session:
    clinic = episode.clinic
    screening = Screening.objects.create(
        clinic=clinic, patient=episode.patient, performed_by=clinician, answers={}, decision="suitable",
        result={}, knowledge_version="test",
    )  # fmt: skip
    consent = Consent.objects.create(clinic=clinic, patient=episode.patient, signed_name="X")
    made = Session.objects.create(
        clinic=clinic, patient=episode.patient, episode=episode, clinician=clinician, screening=screening,
        consent=consent, checklist={}, started_at=at, ended_at=at + timedelta(minutes=30),
        status="completed" if completed else "in_progress",
    )  # fmt: skip
    Insertion.objects.create(
        session=made, muscle_id=muscle, side="left", needle_diameter_mm="0.30",
        needle_length_mm=30, planned_seconds=30, actual_seconds=30, performed_by=clinician, performed_at=at,
    )  # fmt: skip
    for kind, severity in effects:
        event = AdverseEvent.objects.create(
            clinic=clinic, patient=episode.patient, session=made, kind=kind, severity=severity, onset="after",
            onset_at=at, recorded_by=clinician,
        )  # fmt: skip
        if severity == "serious":
            Alert.objects.create(
                clinic=clinic, patient=episode.patient, kind="serious_side_effect", adverse_event=event
            )
    return made


def score(
    episode: Episode, *, value: float, baseline: float, responder: bool | None, after: timedelta
) -> OutcomeRecord:
    assert episode.course_completed_at is not None
    verdict: dict[str, Any] = {"baseline": baseline}
    if responder is not None:
        verdict["responder"] = responder
    return OutcomeRecord.objects.create(
        clinic=episode.clinic, patient=episode.patient, episode=episode, instrument_id="nprs", value=value,
        recorded_at=episode.course_completed_at + after, verdict=verdict,
    )  # fmt: skip


def check_in(session: Session, *, kind: str, due_at: datetime, answered: bool) -> CheckIn:
    return CheckIn.objects.create(
        clinic=session.clinic, patient=session.patient, episode=session.episode, session=session, kind=kind,
        due_at=due_at, expires_at=due_at + timedelta(days=7), answered_at=due_at if answered else None,
    )  # fmt: skip
