"""Rows of synthetic courses (screening, consent, findings, sessions, insertions, side effects,
signed notes) for one batch of patients, with local ids (synthetic.bulk). Called by the patient
loader before its transaction."""

from __future__ import annotations

import random
from datetime import date, datetime
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password

from dryneedling.accounts.models import Clinic, Membership, Role, User
from dryneedling.clinical import soap
from dryneedling.clinical.clean_technique import CLEAN_TECHNIQUE
from dryneedling.clinical.education import CONSENT_VERSION, consent_items
from dryneedling.clinical.intake import all_clear_answers
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.screening import parse_answers, screen
from dryneedling.followup.outcome_rules import Rules
from dryneedling.intake.models import Decision, Screening
from dryneedling.synthetic.bulk import JsonText, Row, Table, json_text
from dryneedling.synthetic.followup_gen import FollowUpRecord, generate_followup
from dryneedling.synthetic.followup_loader import FOLLOWUP_TABLES, FollowedCourse, followup_rows
from dryneedling.synthetic.generator import PatientRecord
from dryneedling.synthetic.treatment_gen import SYNTHETIC_CLINICIANS, CourseRecord, generate_course
from dryneedling.treatment.models import AdverseEvent, Consent, Finding, Insertion, Note, Session, main_technique_of

# JSON constants of every row, serialised once
CONSENT_ITEMS = json_text([item.id for item in consent_items()])
CLEAN_RECORD = json_text({item.id: True for item in CLEAN_TECHNIQUE})
COURSE_TABLES_OWN = (
    Table(
        "screening",
        Screening,
        (
            "id",
            "clinic_id",
            "patient_id",
            "episode_id",
            "performed_by_id",
            "performed_at",
            "updated_at",
            "answers",
            "decision",
            "refer_to_physician",
            "rule_ids",
            "result",
            "knowledge_version",
        ),  # fmt: skip
        refs={"id": "screening", "patient_id": "patient", "episode_id": "episode"},
    ),
    Table(
        "consent",
        Consent,
        (
            "id",
            "clinic_id",
            "patient_id",
            "signed_name",
            "version",
            "items",
            "covers_chest_and_neck",
            "recorded_by_id",
            "recorded_at",
        ),  # fmt: skip
        refs={"id": "consent", "patient_id": "patient"},
    ),
    Table(
        "finding",
        Finding,
        (
            "clinic_id",
            "patient_id",
            "episode_id",
            "muscle_id",
            "side",
            "view",
            "x",
            "y",
            "status",
            "tenderness",
            "taut_band",
            "familiar_pain",
            "recorded_by_id",
            "recorded_at",
        ),  # fmt: skip
        refs={"patient_id": "patient", "episode_id": "episode"},
    ),
    Table(
        "session",
        Session,
        (
            "id",
            "clinic_id",
            "patient_id",
            "episode_id",
            "clinician_id",
            "screening_id",
            "consent_id",
            "checklist",
            "status",
            "started_at",
            "ended_at",
            "updated_at",
            "clean_technique",
            "needles_used",
            "needles_removed",
            "main_technique",
        ),  # fmt: skip
        refs={
            "id": "session",
            "patient_id": "patient",
            "episode_id": "episode",
            "screening_id": "screening",
            "consent_id": "consent",
        },  # fmt: skip
    ),
    Table(
        "insertion",
        Insertion,
        (
            "session_id",
            "muscle_id",
            "side",
            "handling",
            "needle_diameter_mm",
            "needle_length_mm",
            "planned_seconds",
            "actual_seconds",
            "twitch_count",
            "technique",
            "performed_by_id",
            "performed_at",
        ),  # fmt: skip
        refs={"session_id": "session"},
    ),
    Table(
        "adverse_event",
        AdverseEvent,
        (
            "clinic_id",
            "patient_id",
            "session_id",
            "kind",
            "severity",
            "onset",
            "onset_at",
            "resolved_at",
            "recorded_by_id",
            "recorded_at",
        ),  # fmt: skip
        refs={"patient_id": "patient", "session_id": "session"},
    ),
    Table(
        "note",
        Note,
        (
            "clinic_id",
            "session_id",
            "subjective",
            "objective",
            "assessment",
            "plan",
            "signed_at",
            "signed_by_id",
            "updated_at",
        ),  # fmt: skip
        refs={"session_id": "session"},
    ),
)
COURSE_TABLES = (*COURSE_TABLES_OWN, *FOLLOWUP_TABLES)  # parents first
DECISION_LABELS = {value: str(label) for value, label in Decision.choices}
CHECKLIST = json_text(
    {
        "new_anticoagulants": False,
        "possibly_pregnant": False,
        "new_symptoms": False,
        "new_medication": False,
        "position": "prone",
    }
)


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
def _screening(age: int, anticoagulants: bool) -> tuple[JsonText, Any, JsonText, JsonText]:
    """The answers, the decision, its rule ids and the decision's record (the last three serialised)."""
    parsed = parse_answers(_answers(age, anticoagulants))
    decision = screen(parsed)
    return json_text(parsed.to_dict()), decision, json_text(list(decision.rule_ids)), json_text(decision.to_dict())


def _findings(course: CourseRecord) -> tuple[soap.Finding, ...]:
    """The course's findings as its notes read them (the same in every session: built once a course)."""
    return tuple(
        soap.Finding(
            muscle_id=f.muscle_id, side=f.side, status=f.status, taut_band=f.taut_band, familiar_pain=f.familiar_pain
        )
        for f in course.findings
    )


def _note(
    course: CourseRecord, index: int, decision: str, reason: str, findings: tuple[soap.Finding, ...]
) -> soap.SoapNote:
    session = course.sessions[index]
    record = soap.SessionRecord(
        nprs=None,
        complaint=reason,
        screening_decision=decision,
        findings=findings,
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
        cpt_code=None,  # generate_soap derives it from the insertions (deriving it here too cost a second derivation)
    )
    return soap.generate_soap(record=record)


Drawn = list[tuple["CourseRecord | None", ...]]
"""Each patient's courses, one an episode (None: an untreated episode)."""


def draw_courses(
    records: list[PatientRecord], *, rng: random.Random, now: datetime
) -> tuple[Drawn, dict[int, FollowUpRecord]]:
    """Every draw of the course stream for one batch, in the order the loader has always drawn
    them (all the batch's courses, then the follow-up of each course with sessions), so the same
    seed gives the same data whatever size the write transactions are. Follow-ups by id(course)."""
    courses = [tuple(generate_course(episode=e, rng=rng, now=now) for e in r.episodes) for r in records]
    follow = {
        id(course): generate_followup(course=course, rng=rng, now=now)
        for episodes in courses
        for course in episodes
        if course is not None and course.sessions
    }
    return courses, follow


def course_rows(
    rows: dict[str, list[Row]],
    *,
    clinic: Clinic,
    clinicians: list[User],
    records: list[PatientRecord],
    drawn: Drawn,
    follow: dict[int, FollowUpRecord],
    today: date,
    now: datetime,
    completed: dict[int, datetime],
    rules: Rules,
) -> dict[str, int]:
    """Append the courses of `records` (`drawn` by draw_courses; local patient ids 0.., episode ids
    in the same order as the patient loader's) to `rows`; `completed` receives each episode's end
    of course."""
    courses: list[tuple[int, int, PatientRecord, CourseRecord, int, tuple[str, ...], str]] = []
    episode_id = 0
    for patient_id, (record, patient_courses) in enumerate(zip(records, drawn, strict=True)):
        age = today.year - record.date_of_birth.year
        for episode_record, course in zip(record.episodes, patient_courses, strict=True):
            if course is not None:
                codes = tuple(code for code, _ in episode_record.conditions)
                courses.append((patient_id, episode_id, record, course, age, codes, episode_record.reason))
            episode_id += 1
    screenings, consents, findings = rows["screening"], rows["consent"], rows["finding"]
    sessions, insertions, events, notes = rows["session"], rows["insertion"], rows["adverse_event"], rows["note"]
    severity = {key: effect.severity for key, effect in get_knowledge().side_effects.items()}
    clinic_id = clinic.pk
    followed: list[FollowedCourse] = []
    for course_id, (patient_id, episode_id, record, course, age, codes, reason) in enumerate(courses):
        clinician = clinicians[course.clinician].pk
        answers, decision, rule_ids, result = _screening(age, course.anticoagulants)
        screened = course.screened_at
        # bulk writes call no save(): updated_at is the record's own time
        screenings.append(
            (course_id, clinic_id, patient_id, episode_id, clinician, screened, screened, answers, decision.decision,
             decision.refer_to_physician, rule_ids, result, decision.knowledge_version)
        )  # fmt: skip
        consents.append(
            (course_id, clinic_id, patient_id, f"{record.given_name} {record.family_name}", CONSENT_VERSION,
             CONSENT_ITEMS, True, clinician, screened)
        )  # fmt: skip
        for f in course.findings:
            findings.append(
                (clinic_id, patient_id, episode_id, f.muscle_id, f.side, f.view, f.x, f.y, f.status, f.tenderness,
                 f.taut_band, f.familiar_pain, clinician, screened)
            )  # fmt: skip
        first_session = len(sessions)
        techniques = []
        decision_label = DECISION_LABELS.get(decision.decision, decision.decision)
        findings_noted = _findings(course)
        for index, s in enumerate(course.sessions):
            session_id = len(sessions)
            ended = s.ended_at
            technique = main_technique_of(i.technique for i in s.insertions)
            techniques.append(technique)
            sessions.append(
                (session_id, clinic_id, patient_id, episode_id, clinician, course_id, course_id, CHECKLIST,
                 "completed", s.started_at, ended, ended or s.started_at, CLEAN_RECORD, len(s.insertions),
                 len(s.insertions), technique)
            )  # fmt: skip
            for i in s.insertions:
                insertions.append(
                    (session_id, i.muscle_id, i.side, i.handling, i.needle_diameter_mm, i.needle_length_mm, 30,
                     i.seconds, i.twitch_count, i.technique, clinician, s.started_at)
                )  # fmt: skip
            for effect in s.side_effects:
                events.append(
                    (clinic_id, patient_id, session_id, effect, severity[effect], "during", s.started_at, ended,
                     clinician, s.started_at)
                )  # fmt: skip
            text = _note(course, index, decision_label, reason, findings_noted)
            notes.append(
                (clinic_id, session_id, text.subjective, text.objective, text.assessment, text.plan, ended,
                 clinician, ended or s.started_at)
            )  # fmt: skip
        followed.append(
            FollowedCourse(patient_id, episode_id, course, first_session, tuple(techniques), record.email, codes)
        )
    counts = followup_rows(rows, clinic=clinic, clinicians=clinicians, courses=followed, follow=follow, now=now,
                           completed=completed, rules=rules)  # fmt: skip
    return {"sessions": len(sessions), "insertions": len(insertions), "side_effects": len(events), **counts}
