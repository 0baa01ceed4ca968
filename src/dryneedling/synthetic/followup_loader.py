"""Bulk-insert synthetic follow-up: check-ins, outcome records, course ends, home-care plans."""

from __future__ import annotations

import random
from datetime import datetime
from functools import cache
from typing import Any

from dryneedling.accounts.models import Clinic, User
from dryneedling.clinical.homecare import build_plan, plan_to_dict
from dryneedling.followup.models import CheckIn, HomeCarePlan, OutcomeRecord, SorenessReading
from dryneedling.followup.outcome_rules import context_of_codes, rules_of, verdict_for
from dryneedling.followup.questions import outcome_rows
from dryneedling.patients.models import Episode, Patient
from dryneedling.synthetic.followup_gen import generate_followup
from dryneedling.synthetic.treatment_gen import CourseRecord
from dryneedling.treatment.models import Session

BATCH = 2000


@cache
def _plan(muscles: tuple[str, ...], condition_id: str) -> dict[str, Any]:
    return plan_to_dict(build_plan(muscle_ids=list(muscles), condition_id=condition_id))


def insert_followup(
    *,
    clinic: Clinic,
    clinicians: list[User],
    courses: list[tuple[Patient, Episode, CourseRecord, list[Session], tuple[str, ...]]],
    rng: random.Random,
    now: datetime,
) -> dict[str, int]:
    check_ins: list[CheckIn] = []
    # A check-in's answers, with the baselines and the body region its scores' verdicts are judged by
    pending: list[tuple[CheckIn, dict[str, Any], dict[str, float], str | None]] = []
    rules = rules_of(clinic_id=clinic.pk)
    outcomes: list[OutcomeRecord] = []
    plans: list[HomeCarePlan] = []
    completed: list[Episode] = []
    sore: list[tuple[CheckIn, tuple[tuple[int, int, datetime, str], ...]]] = []
    for patient, episode, course, sessions, codes in courses:
        if not sessions:
            continue
        clinician = clinicians[course.clinician]
        follow = generate_followup(course=course, rng=rng, now=now)
        baselines = {"nprs": float(follow.baseline_pain), "psfs": follow.baseline_psfs}
        context = context_of_codes(codes)
        first = sessions[0].started_at
        for instrument, value in baselines.items():
            outcomes.append(
                OutcomeRecord(
                    clinic=clinic,
                    patient=patient,
                    episode=episode,
                    instrument_id=instrument,
                    value=value,
                    recorded_at=first,
                    updated_at=first,  # bulk_create calls no save(): the record's own time
                    entered_by=clinician,
                )
            )
        for c in follow.check_ins:
            row = CheckIn(
                clinic=clinic,
                patient=patient,
                episode=episode,
                session=sessions[c.session_index],
                kind=c.kind,
                due_at=c.due_at,
                expires_at=c.expires_at,
                answered_at=c.answered_at,
                updated_at=c.answered_at or sessions[c.session_index].ended_at or first,
                answers=c.answers,
                red_flags=[],
                reminder_sent_at=c.due_at if patient.email and c.due_at <= now else None,
            )
            check_ins.append(row)
            if c.readings:
                sore.append((row, c.readings))
            if c.answers is not None:
                pending.append((row, c.answers, baselines, context))
        if follow.course_completed_at is not None:
            episode.course_completed_at = follow.course_completed_at
            completed.append(episode)
        muscles = tuple(sorted({f.muscle_id for f in course.findings}))
        plans.append(
            HomeCarePlan(
                clinic=clinic,
                patient=patient,
                episode=episode,
                plan=_plan(muscles, course.condition_id),
                created_at=first,
                updated_at=first,
                updated_by=clinician,
            )
        )
    CheckIn.objects.bulk_create(check_ins, batch_size=BATCH)
    readings = [
        SorenessReading(
            clinic=clinic,
            patient=row.patient,
            session=row.session,
            check_in=row if source == "patient" else None,
            hours=hours,
            score=score,
            source=source,
            recorded_at=at,
            entered_by_id=row.session.clinician_id if source == "clinic" else None,  # the session's clinician
            technique=row.session.main_technique,  # bulk_create calls no save()
        )
        for row, rows in sore
        for hours, score, at, source in rows
    ]
    SorenessReading.objects.bulk_create(readings, batch_size=BATCH)
    for row, answers, baselines, context in pending:
        for instrument, value, items in outcome_rows(answers):
            # The verdict the service would store (issue 11), in the clinic's rules of the day
            verdict = verdict_for(
                rules=rules, instrument_id=instrument, baseline=baselines.get(instrument), value=value, context=context
            )
            outcomes.append(
                OutcomeRecord(
                    clinic=clinic,
                    patient=row.patient,
                    episode=row.episode,
                    check_in=row,
                    instrument_id=instrument,
                    value=value,
                    items=items,
                    verdict=verdict,
                    recorded_at=row.answered_at or row.due_at,
                    updated_at=row.answered_at or row.due_at,
                )
            )
    for record in outcomes:  # bulk_create calls no save(): the derived columns (issue 12) are set here
        record.derive(record.episode.course_completed_at)
    OutcomeRecord.objects.bulk_create(outcomes, batch_size=BATCH)
    HomeCarePlan.objects.bulk_create(plans, batch_size=BATCH)
    Episode.objects.for_clinic(clinic).bulk_update(completed, ["course_completed_at"], batch_size=BATCH)
    return {
        "check_ins": len(check_ins),
        "check_ins_answered": len(pending),
        "outcomes": len(outcomes),
        "soreness_readings": len(readings),
        "home_care_plans": len(plans),
    }
