"""Rows of synthetic follow-up: check-ins, soreness readings, outcome records, home-care plans,
with local ids (synthetic.bulk); the episodes' ends of course go back to the patient loader."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from dryneedling.accounts.models import Clinic, User
from dryneedling.clinical.homecare import build_plan, plan_to_dict
from dryneedling.followup.models import CheckIn, HomeCarePlan, OutcomeRecord, SorenessReading
from dryneedling.followup.outcome_rules import Rules, context_of_codes, verdict_for
from dryneedling.followup.questions import outcome_rows
from dryneedling.synthetic.bulk import JsonText, Row, Table, json_text
from dryneedling.synthetic.followup_gen import FollowUpRecord
from dryneedling.synthetic.treatment_gen import CourseRecord

OUTCOME_FIELDS = (
    "clinic_id", "patient_id", "episode_id", "check_in_id", "instrument_id", "value", "items", "verdict",
    "recorded_at", "updated_at", "entered_by_id", "window", "baseline", "responder",
)  # fmt: skip
FOLLOWUP_TABLES = (
    Table(
        "check_in",
        CheckIn,
        (
            "id",
            "clinic_id",
            "patient_id",
            "episode_id",
            "session_id",
            "kind",
            "due_at",
            "expires_at",
            "answered_at",
            "updated_at",
            "answers",
            "red_flags",
            "reminder_sent_at",
        ),  # fmt: skip
        refs={"id": "check_in", "patient_id": "patient", "episode_id": "episode", "session_id": "session"},
    ),
    Table(
        "soreness",
        SorenessReading,
        (
            "clinic_id",
            "patient_id",
            "session_id",
            "check_in_id",
            "hours",
            "score",
            "source",
            "recorded_at",
            "entered_by_id",
            "technique",
        ),  # fmt: skip
        refs={"patient_id": "patient", "session_id": "session", "check_in_id": "check_in"},
    ),
    Table(
        "outcome",
        OutcomeRecord,
        OUTCOME_FIELDS,
        refs={"patient_id": "patient", "episode_id": "episode", "check_in_id": "check_in"},
    ),
    Table(
        "home_care_plan",
        HomeCarePlan,
        ("clinic_id", "patient_id", "episode_id", "plan", "created_at", "updated_at", "updated_by_id"),
        refs={"patient_id": "patient", "episode_id": "episode"},
    ),
)


NO_RED_FLAGS = json_text([])  # a check-in's red flags: none (serialised once)


class FollowedCourse(NamedTuple):
    """A course as the follow-up needs it: local ids, its sessions' first local id and main techniques."""

    patient_id: int
    episode_id: int
    course: CourseRecord
    first_session: int
    techniques: tuple[str, ...]
    email: str
    codes: tuple[str, ...]


class _Derived:
    """What OutcomeRecord.derive reads and sets, without building a model instance a row."""

    __slots__ = ("verdict", "recorded_at", "window", "baseline", "responder")

    window: str
    baseline: float | None
    responder: bool | None

    def __init__(self, verdict: dict[str, Any] | None, recorded_at: datetime) -> None:
        self.verdict, self.recorded_at = verdict, recorded_at


@cache
def _plan(muscles: tuple[str, ...], condition_id: str) -> JsonText:
    return json_text(plan_to_dict(build_plan(muscle_ids=list(muscles), condition_id=condition_id)))


def _outcome(
    clinic_id: int,
    ids: tuple[int, int, int | None],
    instrument: str,
    value: float,
    items: Any,
    verdict: tuple[dict[str, Any], JsonText] | None,
    at: datetime,
    entered_by: int | None,
    course_completed_at: datetime | None,
) -> Row:
    """An outcome record's row, its derived columns set as OutcomeRecord.derive sets them on save."""
    record = _Derived(verdict[0] if verdict else None, at)
    OutcomeRecord.derive(record, course_completed_at)  # type: ignore[arg-type]  # the model's own rule, no instance
    patient_id, episode_id, check_in_id = ids
    return (
        clinic_id, patient_id, episode_id, check_in_id, instrument, value, items, verdict and verdict[1], at, at,
        entered_by,
        record.window, record.baseline, record.responder,
    )  # fmt: skip


def followup_rows(
    rows: dict[str, list[Row]],
    *,
    clinic: Clinic,
    clinicians: list[User],
    courses: list[FollowedCourse],
    follow: dict[int, FollowUpRecord],
    now: datetime,
    completed: dict[int, datetime],
    rules: Rules,
) -> dict[str, int]:
    """`rules`: the clinic's outcome rules (followup.outcome_rules.rules_of), read once by the caller:
    rows are built without the database (synthetic.pipeline)."""
    check_ins, sore, outcomes, plans = rows["check_in"], rows["soreness"], rows["outcome"], rows["home_care_plan"]
    clinic_id = clinic.pk
    answered = 0
    # Check-ins' outcome rows come after every course's baselines, as the ORM loader wrote them.
    pending: list[tuple[tuple[int, int, int], dict[str, Any], datetime, dict[str, float], str | None, Any]] = []
    for patient_id, episode_id, course, first_session, techniques, email, codes in courses:
        if not course.sessions:
            continue
        clinician = clinicians[course.clinician].pk
        drawn = follow[id(course)]  # treatment_loader.draw_courses
        if drawn.course_completed_at is not None:
            completed[episode_id] = drawn.course_completed_at
        baselines = {"nprs": float(drawn.baseline_pain), "psfs": drawn.baseline_psfs}
        context = context_of_codes(codes)
        first = course.sessions[0].started_at
        for instrument, value in baselines.items():
            outcomes.append(
                _outcome(
                    clinic_id,
                    (patient_id, episode_id, None),
                    instrument,
                    value,
                    None,
                    None,
                    first,
                    clinician,
                    drawn.course_completed_at,
                )  # fmt: skip
            )
        for c in drawn.check_ins:
            check_in_id = len(check_ins)
            session = course.sessions[c.session_index]
            session_id = first_session + c.session_index
            check_ins.append(
                (check_in_id, clinic_id, patient_id, episode_id, session_id, c.kind, c.due_at, c.expires_at,
                 c.answered_at, c.answered_at or session.ended_at or first, c.answers, NO_RED_FLAGS,
                 c.due_at if email and c.due_at <= now else None)
            )  # fmt: skip
            for hours, score, at, source in c.readings:
                patient_reading = source == "patient"
                sore.append(
                    (clinic_id, patient_id, session_id, check_in_id if patient_reading else None, hours, score,
                     source, at, None if patient_reading else clinician, techniques[c.session_index])
                )  # fmt: skip
            if c.answers is not None:
                answered += 1
                at = c.answered_at or c.due_at
                ids = (patient_id, episode_id, check_in_id)
                pending.append((ids, c.answers, at, baselines, context, drawn.course_completed_at))
        muscles = tuple(sorted({f.muscle_id for f in course.findings}))
        plans.append((clinic_id, patient_id, episode_id, _plan(muscles, course.condition_id), first, first, clinician))
    verdicts: dict[tuple[str, float | None, float, str | None], tuple[dict[str, Any], JsonText] | None] = {}
    for ids, answers, at, baselines, context, completed_at in pending:
        for instrument, value, items in outcome_rows(answers):
            # The verdict the service would store (issue 11), in the clinic's rules of the day
            key = (instrument, baselines.get(instrument), value, context)
            if key not in verdicts:
                verdict = verdict_for(
                    rules=rules, instrument_id=instrument, baseline=key[1], value=value, context=context
                )
                verdicts[key] = None if verdict is None else (verdict, json_text(verdict))
            outcomes.append(_outcome(clinic_id, ids, instrument, value, items, verdicts[key], at, None, completed_at))
    return {
        "check_ins": len(check_ins),
        "check_ins_answered": answered,
        "outcomes": len(outcomes),
        "soreness_readings": len(sore),
        "home_care_plans": len(plans),
    }
