"""Bulk-insert synthetic courses (screening, consent, findings, sessions, insertions, side effects,
signed notes) for one batch of patients. Called by the patient loader inside its transaction."""

from __future__ import annotations

import random
from datetime import date, datetime
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password

from dryneedling.accounts.models import Clinic, Membership, Role, User
from dryneedling.clinical import soap
from dryneedling.clinical.billing import derive_cpt
from dryneedling.clinical.clean_technique import CLEAN_TECHNIQUE
from dryneedling.clinical.education import CONSENT_VERSION, consent_items
from dryneedling.clinical.intake import all_clear_answers
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.screening import parse_answers, screen
from dryneedling.intake.models import Screening
from dryneedling.patients.models import Episode, Patient
from dryneedling.synthetic.followup_loader import insert_followup
from dryneedling.synthetic.generator import PatientRecord
from dryneedling.synthetic.treatment_gen import SYNTHETIC_CLINICIANS, CourseRecord, generate_course
from dryneedling.treatment.models import AdverseEvent, Consent, Finding, Insertion, Note, Session, main_technique_of

BATCH = 2000
CONSENT_ITEMS = [item.id for item in consent_items()]
CLEAN_RECORD = {item.id: True for item in CLEAN_TECHNIQUE}
CHECKLIST = {
    "new_anticoagulants": False,
    "possibly_pregnant": False,
    "new_symptoms": False,
    "new_medication": False,
    "position": "prone",
}


def synthetic_clinicians(clinic: Clinic) -> list[User]:
    """SYNTHETIC_CLINICIANS clinicians for the courses: the clinic's own clinicians first (oldest
    first), then synthetic ones that cannot sign in. The last of them has the doubled side-effect
    rate (treatment_gen.DOUBLED_SIDE_EFFECT_CLINICIAN), a synthetic one unless the clinic has that
    many clinicians of its own."""
    memberships = Membership.objects.filter(clinic=clinic, is_clinician=True).select_related("user").order_by("pk")
    users = [m.user for m in memberships[:SYNTHETIC_CLINICIANS]]
    for number in range(len(users) + 1, SYNTHETIC_CLINICIANS + 1):
        suffix = "" if number == 1 else f"-{number}"
        user, created = User.objects.get_or_create(
            email=f"synthetic-clinician{suffix}@{clinic.slug}.invalid",
            defaults={"full_name": f"Synthetic Clinician {number}", "password": make_password(None)},
        )
        if created:
            Membership.objects.create(user=user, clinic=clinic, role=Role.CLINICIAN, is_clinician=True)
        users.append(user)
    return users


def _answers(age: int, anticoagulants: bool) -> dict[str, Any]:
    # Minors (under the default age of consent, 18) come with a parent's or guardian's consent.
    extra = {"guardian_consent": True} if age < 18 else {}
    return all_clear_answers(age=age, anticoagulants=anticoagulants, tried_stretching=True, tried_heat=True, **extra)


@cache
def _screening(age: int, anticoagulants: bool) -> tuple[dict[str, Any], Any]:
    parsed = parse_answers(_answers(age, anticoagulants))
    return parsed.to_dict(), screen(parsed)


def _note(course: CourseRecord, index: int, decision: str, reason: str) -> soap.SoapNote:
    session = course.sessions[index]
    record = soap.SessionRecord(
        nprs=None,
        complaint=reason,
        screening_decision=decision,
        findings=tuple(
            soap.Finding(
                muscle_id=f.muscle_id,
                side=f.side,
                status=f.status,
                taut_band=f.taut_band,
                familiar_pain=f.familiar_pain,
            )
            for f in course.findings
        ),
        insertions=tuple(
            soap.Insertion(
                muscle_id=i.muscle_id,
                side=i.side,
                technique=i.technique,
                needle_diameter_mm=float(i.needle_diameter_mm),
                needle_length_mm=float(i.needle_length_mm),
                duration_s=i.seconds,
                twitch_count=i.twitch_count,
            )
            for i in session.insertions
        ),
        adverse_events=tuple(soap.AdverseEvent(name=e, severity="mild") for e in session.side_effects),
        total_needling_seconds=sum(i.seconds for i in session.insertions),
        cpt_code=derive_cpt(needled=[(i.muscle_id, i.side) for i in session.insertions]).code,
    )
    return soap.generate_soap(record=record)


def insert_courses(
    *,
    clinic: Clinic,
    clinicians: list[User],
    patients: list[Patient],
    episodes: list[Episode],
    records: list[PatientRecord],
    rng: random.Random,
    today: date,
    now: datetime,
) -> dict[str, int]:
    by_patient: dict[int, list[Episode]] = {}
    for episode in episodes:
        by_patient.setdefault(episode.patient_id, []).append(episode)
    courses: list[tuple[Patient, Episode, CourseRecord, int]] = []
    codes: dict[int, tuple[str, ...]] = {}
    for patient, record in zip(patients, records, strict=True):
        age = today.year - record.date_of_birth.year
        for episode, episode_record in zip(by_patient[patient.pk], record.episodes, strict=True):
            course = generate_course(episode=episode_record, rng=rng, now=now)
            if course is not None:
                courses.append((patient, episode, course, age))
                codes[id(course)] = tuple(code for code, _ in episode_record.conditions)
    screenings, consents = [], []
    for patient, episode, course, age in courses:
        clinician = clinicians[course.clinician]
        answers, decision = _screening(age, course.anticoagulants)
        screenings.append(
            Screening(
                clinic=clinic,
                patient=patient,
                episode=episode,
                performed_by=clinician,
                performed_at=course.screened_at,
                updated_at=course.screened_at,  # bulk_create calls no save(): the record's own time
                answers=answers,
                decision=decision.decision,
                refer_to_physician=decision.refer_to_physician,
                rule_ids=list(decision.rule_ids),
                result=decision.to_dict(),
                knowledge_version=decision.knowledge_version,
            )
        )
        consents.append(
            Consent(
                clinic=clinic,
                patient=patient,
                signed_name=patient.display_name,
                version=CONSENT_VERSION,
                items=CONSENT_ITEMS,
                covers_chest_and_neck=True,
                recorded_by=clinician,
                recorded_at=course.screened_at,
            )
        )
    Screening.objects.bulk_create(screenings, batch_size=BATCH)
    Consent.objects.bulk_create(consents, batch_size=BATCH)
    findings, sessions, session_courses = [], [], []
    for (patient, episode, course, _), screening, consent in zip(courses, screenings, consents, strict=True):
        clinician = clinicians[course.clinician]
        for f in course.findings:
            findings.append(
                Finding(
                    clinic=clinic,
                    patient=patient,
                    episode=episode,
                    muscle_id=f.muscle_id,
                    side=f.side,
                    view=f.view,
                    x=f.x,
                    y=f.y,
                    status=f.status,
                    tenderness=f.tenderness,
                    taut_band=f.taut_band,
                    familiar_pain=f.familiar_pain,
                    recorded_by=clinician,
                    recorded_at=course.screened_at,
                )
            )
        for index, s in enumerate(course.sessions):
            sessions.append(
                Session(
                    clinic=clinic,
                    patient=patient,
                    episode=episode,
                    clinician=clinician,
                    screening=screening,
                    consent=consent,
                    checklist=CHECKLIST,
                    status="completed",
                    started_at=s.started_at,
                    ended_at=s.ended_at,
                    updated_at=s.ended_at or s.started_at,
                    clean_technique=CLEAN_RECORD,
                    needles_used=len(s.insertions),
                    needles_removed=len(s.insertions),
                    main_technique=main_technique_of(i.technique for i in s.insertions),
                )
            )
            session_courses.append((course, index, screening, episode))
    Finding.objects.bulk_create(findings, batch_size=BATCH)
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    insertions, events, notes = [], [], []
    for session, (course, index, screening, episode) in zip(sessions, session_courses, strict=True):
        planned = course.sessions[index]
        clinician = clinicians[course.clinician]
        for i in planned.insertions:
            insertions.append(
                Insertion(
                    session=session,
                    muscle_id=i.muscle_id,
                    side=i.side,
                    handling=i.handling,
                    needle_diameter_mm=i.needle_diameter_mm,
                    needle_length_mm=i.needle_length_mm,
                    planned_seconds=30,
                    actual_seconds=i.seconds,
                    twitch_count=i.twitch_count,
                    technique=i.technique,
                    performed_by=clinician,
                    performed_at=planned.started_at,
                )
            )
        for effect in planned.side_effects:
            events.append(
                AdverseEvent(
                    clinic=clinic,
                    patient=session.patient,
                    session=session,
                    kind=effect,
                    severity=get_knowledge().side_effects[effect].severity,
                    onset="during",
                    onset_at=planned.started_at,
                    resolved_at=session.ended_at,
                    recorded_by=clinician,
                    recorded_at=planned.started_at,
                )
            )
        text = _note(course, index, screening.get_decision_display(), episode.reason)
        notes.append(
            Note(
                clinic=clinic,
                session=session,
                subjective=text.subjective,
                objective=text.objective,
                assessment=text.assessment,
                plan=text.plan,
                signed_at=session.ended_at,
                signed_by=clinician,
                updated_at=session.ended_at or planned.started_at,
            )
        )
    Insertion.objects.bulk_create(insertions, batch_size=BATCH)
    AdverseEvent.objects.bulk_create(events, batch_size=BATCH)
    Note.objects.bulk_create(notes, batch_size=BATCH)
    by_course: dict[int, list[Session]] = {}
    for session, (course, _, _, _) in zip(sessions, session_courses, strict=True):
        by_course.setdefault(id(course), []).append(session)
    followed = [(p, e, c, by_course.get(id(c), []), codes[id(c)]) for p, e, c, _ in courses]
    counts = insert_followup(
        clinic=clinic,
        clinicians=clinicians,
        courses=followed,
        rng=rng,
        now=now,
    )
    return {"sessions": len(sessions), "insertions": len(insertions), "side_effects": len(events), **counts}
