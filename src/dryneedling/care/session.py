"""A needling session across the apps: the gate before it starts, each point checked against the
clinician's credentials, and what follows its completion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction

from dryneedling.accounts import zones
from dryneedling.accounts.models import User
from dryneedling.accounts.selectors import membership_for
from dryneedling.clinical.billing import Abn
from dryneedling.followup.models import Alert
from dryneedling.followup.selectors import open_side_effect_alerts_for
from dryneedling.followup.services import checkins_after_session
from dryneedling.followup.soreness import soreness_reading_at_session_end
from dryneedling.intake.models import Screening
from dryneedling.patients.models import Episode
from dryneedling.safetyrecords.selectors import clinician_safety_facts, credential_problems_for
from dryneedling.scheduling import rules as visit_status
from dryneedling.scheduling.visits import visit_follow_session
from dryneedling.treatment.models import Consent, Insertion, Session
from dryneedling.treatment.selectors import Readiness, session_readiness_for, side_effect_name
from dryneedling.treatment.services import insertion as insertion_services
from dryneedling.treatment.services import session as session_services
from dryneedling.treatment.services.common import require_clinician
from dryneedling.treatment.services.note import note_create_draft
from dryneedling.treatment.services.safety_plan import InsertionPlan

__all__ = [
    "SessionGate",
    "insertion_check",
    "insertion_record",
    "session_complete",
    "session_gate_for",
    "session_start",
]


@dataclass
class SessionGate:
    """Whether a session may start: the treatment record's own checks, then what the other apps add."""

    readiness: Readiness
    open_serious: list[Alert]
    credential_problems: list[str]

    @property
    def problems(self) -> list[str]:
        return [*self.readiness.problems, *self.blockers]

    @property
    def blockers(self) -> list[str]:
        return _blockers(open_serious=self.open_serious, credential_problems=self.credential_problems)

    # What the start page shows, under the names it has always used.
    @property
    def screening(self) -> Screening | None:
        return self.readiness.screening

    @property
    def consent(self) -> Consent | None:
        return self.readiness.consent

    @property
    def open_session(self) -> Session | None:
        return self.readiness.open_session

    @property
    def precautions(self) -> list[dict[str, object]]:
        return self.readiness.precautions


def _blockers(*, open_serious: list[Alert], credential_problems: list[str]) -> list[str]:
    """The problems treatment cannot see: unresolved serious side effects and credentials."""
    unresolved = [
        f"Unresolved serious side effect ({side_effect_name(alert.adverse_event.kind)}, "
        f"{zones.local(alert.adverse_event.onset_at):%Y-%m-%d}): a clinician must resolve its follow-up before the "
        "next session."
        for alert in open_serious
        if alert.adverse_event is not None
    ]
    return [*unresolved, *credential_problems]


def session_gate_for(*, actor: User, episode: Episode) -> SessionGate:
    """The start page's and `session_start`'s gate. Credentials are the acting clinician's; other
    roles cannot start a session, so theirs are not asked for."""
    is_clinician = membership_for(actor=actor).is_clinician
    return SessionGate(
        readiness=session_readiness_for(actor=actor, episode=episode),
        open_serious=open_side_effect_alerts_for(actor=actor, patient=episode.patient),
        credential_problems=credential_problems_for(clinician=actor) if is_clinician else [],
    )


@transaction.atomic
def session_start(
    *,
    actor: User,
    episode: Episode,
    checklist: dict[str, Any],
    payer: str,
    chronic_low_back_pain: bool = False,
    acknowledgements: dict[str, str] | None = None,
    abn: Abn | None = None,
) -> Session:
    """Start a session once nothing blocks it: treatment's checks, open follow-ups, credentials.
    The patient's visit of the day goes "in session" with it (scheduling.visits)."""
    require_clinician(actor)
    blockers = _blockers(
        open_serious=open_side_effect_alerts_for(actor=actor, patient=episode.patient),
        credential_problems=credential_problems_for(clinician=actor),
    )
    session = session_services.session_start(
        actor=actor,
        episode=episode,
        checklist=checklist,
        payer=payer,
        blockers=blockers,
        chronic_low_back_pain=chronic_low_back_pain,
        acknowledgements=acknowledgements,
        abn=abn,
    )
    visit_follow_session(actor=actor, session=session, status=visit_status.IN_SESSION)
    return session


def insertion_check(*, actor: User, session: Session, plan: InsertionPlan) -> list[dict[str, Any]]:
    """The guardrails for one planned point, with the acting clinician's credentials."""
    return insertion_services.insertion_check(
        actor=actor, session=session, plan=plan, clinician_facts=clinician_safety_facts(clinician=actor)
    )


@transaction.atomic
def insertion_record(
    *,
    actor: User,
    session: Session,
    expected_version: int,
    plan: InsertionPlan,
    planned_seconds: int,
    actual_seconds: int,
    twitch_count: int,
    patient_response: str = "",
    override_reason: str = "",
    client_key: UUID | None = None,
) -> Insertion:
    """Record one point, checked with the acting clinician's credentials (a retry of a submission
    already saved, by its `client_key`, returns that point)."""
    require_clinician(actor)
    return insertion_services.insertion_record(
        actor=actor,
        session=session,
        expected_version=expected_version,
        plan=plan,
        clinician_facts=clinician_safety_facts(clinician=actor, clinic=membership_for(actor=actor).clinic),
        planned_seconds=planned_seconds,
        actual_seconds=actual_seconds,
        twitch_count=twitch_count,
        patient_response=patient_response,
        override_reason=override_reason,
        client_key=client_key,
    )


@transaction.atomic
def session_complete(
    *,
    actor: User,
    session: Session,
    expected_version: int,
    needles_used: int,
    needles_removed: int,
    soreness_now: int | None = None,
) -> Session:
    """Complete the session, draft its note from the record, schedule the soreness check-in, keep
    the 0 h soreness reading when one is given, and mark the patient's visit done, all or nothing.
    The check-in's reminders are sent by the reminder job (`dryneedling send-due`) when they fall
    due; nothing is sent at completion."""
    session = session_services.session_complete(
        actor=actor,
        session=session,
        expected_version=expected_version,
        needles_used=needles_used,
        needles_removed=needles_removed,
    )
    note_create_draft(actor=actor, session=session)
    checkins_after_session(session=session)
    if soreness_now is not None:
        soreness_reading_at_session_end(actor=actor, session=session, score=soreness_now)
    visit_follow_session(actor=actor, session=session, status=visit_status.DONE)
    return session
