"""Reads of the clinician's record, always scoped to the actor's clinic.

The clinical record is read by clinicians only (`CLINICAL`): every selector here that returns it
refuses other roles in words. Consent on file stays readable by every role (front desk sends the
consent link and needs to know whether one is due); the superbill has its own capability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from dryneedling.accounts import zones
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, CLINICAL, SUPERBILL, require
from dryneedling.accounts.selectors import clinic_for
from dryneedling.clinical.billing import BillingCode, get_billing
from dryneedling.clinical.education import CONSENT_VERSION
from dryneedling.clinical.intake import AnswerError, parse_answers
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.intake.models import Decision, Screening
from dryneedling.patients.models import Episode, Patient
from dryneedling.patients.selectors import deny, get_or_deny
from dryneedling.treatment.models import (
    AdverseEvent,
    Consent,
    Finding,
    Insertion,
    Note,
    PainDrawing,
    Session,
)


def session_get_for(*, actor: User, session_id: int, for_update: bool = False) -> Session:
    """The session with what its pages read; `for_update` (in a transaction) also locks its row,
    and only its row, until the transaction ends: a write that reads it once (issue 14)."""
    require(actor=actor, capability=CLINICAL)
    sessions = Session.objects.for_actor(actor).select_related("patient", "episode", "screening", "clinician", "clinic")
    if for_update:
        sessions = sessions.select_for_update(of=("self",))
    try:
        return sessions.get(pk=session_id)
    except Session.DoesNotExist:
        raise deny(actor=actor, object_type="session", object_id=session_id, model=Session) from None


def finding_get_for(*, actor: User, finding_id: int) -> Finding:
    require(actor=actor, capability=CLINICAL)
    try:
        return Finding.objects.for_actor(actor).select_related("episode", "patient").get(pk=finding_id)
    except Finding.DoesNotExist:
        raise deny(actor=actor, object_type="finding", object_id=finding_id, model=Finding) from None


def adverse_event_get_for(*, actor: User, event_id: int) -> AdverseEvent:
    require(actor=actor, capability=CLINICAL)
    try:
        return AdverseEvent.objects.for_actor(actor).select_related("session", "patient").get(pk=event_id)
    except AdverseEvent.DoesNotExist:
        raise deny(actor=actor, object_type="adverse_event", object_id=event_id, model=AdverseEvent) from None


def notes_covering_finding(finding: Finding) -> QuerySet[Note]:
    """The notes whose record holds `finding`: notes of the episode's sessions that ended after it
    was charted (the SOAP draft lists those findings) or that needled it."""
    return (
        Note.objects.for_clinic(finding.clinic_id)
        .filter(session__episode=finding.episode_id)
        .filter(Q(session__ended_at__gte=finding.recorded_at) | Q(session__insertions__finding=finding))
        .select_related("session")
        .distinct()
    )


def signed_sessions_for(*, actor: User, patient: Patient) -> QuerySet[Session]:
    """The patient's sessions with a signed note, newest first: what front desk bills."""
    require(actor=actor, capability=SUPERBILL)
    return (
        Session.objects.for_actor(actor)
        .filter(patient=patient, note__signed_at__isnull=False)
        .select_related("clinician")
        .order_by("-started_at", "-id")
    )


def note_get_for(*, actor: User, session_id: int) -> Note:
    session = session_get_for(actor=actor, session_id=session_id)
    try:
        return Note.objects.for_clinic(session.clinic_id).select_related("session", "signed_by").get(session=session)
    except Note.DoesNotExist:
        raise deny(actor=actor, object_type="note", object_id=session_id, model=Session) from None


def session_list_for(*, actor: User) -> QuerySet[Session]:
    """The clinic's sessions (the API's list; of one patient or episode: filter further)."""
    require(actor=actor, capability=CLINICAL)
    return Session.objects.for_actor(actor).select_related("clinician")


def notes_for(*, actor: User) -> QuerySet[Note]:
    """The clinic's notes with their amendments (the API's list); clinicians only."""
    require(actor=actor, capability=CLINICAL)
    return Note.objects.for_actor(actor).select_related("session", "signed_by").prefetch_related("amendments")


def note_by_id_for(*, actor: User, note_id: int) -> Note:
    return get_or_deny(notes_for(actor=actor), actor=actor, pk=note_id, object_type="note")


def consent_current_for(*, actor: User, patient: Patient) -> Consent | None:
    return (
        Consent.objects.for_actor(actor)
        .filter(patient=patient, withdrawn_at__isnull=True)
        .order_by("-recorded_at", "-id")
        .first()
    )


@dataclass
class Readiness:
    screening: Screening | None = None
    consent: Consent | None = None
    problems: list[str] = field(default_factory=list)
    open_session: Session | None = None

    @property
    def precautions(self) -> list[dict[str, object]]:
        """The screening's precautions the clinician must acknowledge before needling."""
        if self.screening is None:
            return []
        return [r for r in self.screening.result.get("reasons", []) if r.get("severity") == "precaution"]


def session_in_progress_for(*, actor: User, patient: Patient) -> Session | None:
    require(actor=actor, capability=CLINICAL)
    return Session.objects.for_actor(actor).filter(patient=patient, status=Session.Status.IN_PROGRESS).first()


def session_readiness_for(*, actor: User, episode: Episode) -> Readiness:
    """Whether the treatment record lets a session start: a screening that permits it, recent enough,
    no other session in progress, and consent on file. What other apps add (open follow-ups,
    credentials) is gathered by `dryneedling.care.session.session_gate_for`."""
    require(actor=actor, capability=CLINICAL)
    clinic = clinic_for(actor=actor)
    readiness = Readiness()
    readiness.screening = (
        Screening.objects.for_clinic(clinic)
        .filter(patient_id=episode.patient_id)
        .order_by("-performed_at", "-id")
        .first()
    )
    readiness.consent = consent_current_for(actor=actor, patient=episode.patient)
    screening = readiness.screening
    if screening is None:
        readiness.problems.append("No screening on file: screen the patient first.")
    else:
        age = timezone.now() - screening.performed_at
        if age > timedelta(days=clinic.screening_validity_days):
            readiness.problems.append(
                f"The last screening is {age.days} days old; this clinic accepts {clinic.screening_validity_days} "
                "days. Screen again."
            )
        if screening.emergency:
            readiness.problems.append(
                "EMERGENCY at the last screening (e.g. chest pain or breathlessness): call emergency services now; "
                "no needling."
            )
        if screening.decision == Decision.NOT_NOW:
            readiness.problems.append("The last screening decided: not suitable now.")
        if screening.refer_to_physician:
            readiness.problems.append("The last screening found red flags: refer to a physician before needling.")
        elif not screening_is_current(screening):
            readiness.problems.append(
                "The last screening used an older questionnaire that lacks facts the safety checks need: screen again."
            )
    readiness.open_session = session_in_progress_for(actor=actor, patient=episode.patient)
    if readiness.open_session is not None:
        started = zones.local(readiness.open_session.started_at)
        readiness.problems.append(
            f"Session {readiness.open_session.pk} of {started:%Y-%m-%d %H:%M} is still "
            "in progress for this patient: complete it before starting another."
        )
    if readiness.consent is None:
        readiness.problems.append("No consent to dry needling on file: record the patient's consent first.")
    elif readiness.consent.version != CONSENT_VERSION:
        readiness.problems.append(
            f"Consent on file is for version {readiness.consent.version}; the consent text is now version "
            f"{CONSENT_VERSION}: ask the patient to consent again."
        )
    return readiness


def findings_for_episode(*, actor: User, episode: Episode) -> QuerySet[Finding]:
    require(actor=actor, capability=CLINICAL)
    return Finding.objects.for_actor(actor).filter(episode=episode).select_related("recorded_by")


def pain_drawings_for_episode(*, actor: User, episode: Episode) -> QuerySet[PainDrawing]:
    require(actor=actor, capability=CLINICAL)
    return PainDrawing.objects.for_actor(actor).filter(episode=episode)


def sessions_for_episode(*, actor: User, episode: Episode) -> QuerySet[Session]:
    require(actor=actor, capability=CLINICAL)
    return Session.objects.for_actor(actor).filter(episode=episode).select_related("clinician")


def sessions_for_patient(*, actor: User, patient: Patient) -> QuerySet[Session]:
    require(actor=actor, capability=CLINICAL)
    return Session.objects.for_actor(actor).filter(patient=patient).select_related("clinician", "episode")


@dataclass(frozen=True)
class SessionTotals:
    points: int
    muscles: int
    needling_seconds: int
    elapsed_minutes: int
    target_min: int
    target_max: int


def session_totals(*, session: Session) -> SessionTotals:
    insertions = list(session.insertions.all())
    end = session.ended_at or timezone.now()
    return SessionTotals(
        points=len(insertions),
        muscles=len({(i.muscle_id, i.side) for i in insertions}),
        needling_seconds=sum(i.actual_seconds for i in insertions),
        elapsed_minutes=int((end - session.started_at).total_seconds() // 60),
        target_min=session.clinic.session_minutes_min,
        target_max=session.clinic.session_minutes_max,
    )


def warning_reasons_for_session(*, session: Session) -> dict[str, str]:
    """The reason given for each guardrail warning in this session, by rule id (the latest one for a
    rule given twice). A later point hitting the same rule reuses it (issue 10: once per session per
    rule). Points recorded before issue 10 carry their reason only as `override_reason`."""
    reasons: dict[str, str] = {}
    for insertion in session.insertions.order_by("performed_at", "id"):
        for guardrail in insertion.guardrails:
            if guardrail.get("level") != "warn":
                continue
            reason = guardrail.get("override_reason") or insertion.override_reason
            if reason:
                reasons[str(guardrail.get("rule_id"))] = reason
    return reasons


def session_note_signed(*, session: Session) -> bool:
    """Whether the session's note is signed (its record can then no longer be corrected)."""
    return Note.objects.for_clinic(session.clinic_id).filter(session=session, signed_at__isnull=False).exists()


def override_summary(insertion: Insertion) -> str:
    """The warnings a point went ahead despite, each with its reason: "RULE — reason: …", or
    "RULE — reason given earlier: …" when the reason was given for the rule at an earlier point."""
    parts = []
    for guardrail in insertion.guardrails:
        if guardrail.get("level") != "warn":
            continue
        reason = guardrail.get("override_reason") or insertion.override_reason
        if not reason:
            continue
        how = "reason given earlier" if guardrail.get("reason_given_earlier") else "reason"
        parts.append(f"{guardrail.get('rule_id')} — {how}: {reason}")
    return "; ".join(parts)


def adverse_events_for_session(*, actor: User, session: Session) -> QuerySet[AdverseEvent]:
    require(actor=actor, capability=CLINICAL)
    return AdverseEvent.objects.for_actor(actor).filter(session=session)


def screening_is_current(screening: Screening) -> bool:
    """Whether the stored answers still parse with today's questionnaire."""
    try:
        parse_answers(screening.answers)
    except AnswerError:
        return False
    return True


def side_effect_name(kind: str) -> str:
    effect = get_knowledge().side_effects.get(kind)
    return effect.name if effect else kind


def muscle_name(muscle_id: str) -> str:
    muscle = get_knowledge().muscles.get(muscle_id)
    return muscle.name if muscle else muscle_id


def treatment_counts(*, clinic_id: int) -> dict[str, object]:
    """Counts of the clinical record of one clinic (for `dryneedling stats`; no patient data)."""
    from django.db.models import Count

    from dryneedling.treatment.models import Insertion

    sessions = Session.objects.for_clinic(clinic_id)
    events = AdverseEvent.objects.for_clinic(clinic_id)
    n_sessions = sessions.count()
    n_events_sessions = events.values("session_id").distinct().count()
    return {
        "screenings": Screening.objects.for_clinic(clinic_id).count(),
        "consents": Consent.objects.for_clinic(clinic_id).count(),
        "findings": Finding.objects.for_clinic(clinic_id).count(),
        "sessions": n_sessions,
        "insertions": Insertion.objects.for_clinic(clinic_id).count(),
        "side_effects": events.count(),
        "side_effects_by_kind": dict(events.values_list("kind").annotate(n=Count("id")).order_by("-n")),
        "sessions_with_side_effects_percent": round(100 * n_events_sessions / n_sessions, 2) if n_sessions else 0.0,
        "notes_signed": Note.objects.for_clinic(clinic_id).filter(signed_at__isnull=False).count(),
    }


def fee_schedule_for(*, clinic_id: int) -> dict[str, Decimal]:
    """The clinic's self-pay fees by code (public information: no patient data)."""
    from dryneedling.treatment.models import FeeScheduleItem

    return {item.code: item.amount for item in FeeScheduleItem.objects.filter(clinic_id=clinic_id)}


def fee_schedule_rows(*, actor: User) -> list[tuple[BillingCode, Decimal | None]]:
    """The fee schedule page (clinic admins): every code the app bills, with the clinic's fee or
    None ("no fee set"), in the order of clinical/data/billing.yaml."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    fees = fee_schedule_for(clinic_id=membership.clinic_id)
    return [(code, fees.get(code.code)) for code in get_billing().codes]


# --- Today (issue 10) -----------------------------------------------------------------------------
def sessions_open_of(*, actor: User) -> QuerySet[Session]:
    """The actor's own sessions still in progress, oldest first."""
    require(actor=actor, capability=CLINICAL)
    return (
        Session.objects.for_actor(actor)
        .filter(clinician=actor, status=Session.Status.IN_PROGRESS)
        .select_related("patient")
        .order_by("started_at", "id")
    )


def notes_unsigned_of(*, actor: User) -> QuerySet[Note]:
    """Notes of the actor's own completed sessions that are not signed yet, oldest first."""
    require(actor=actor, capability=CLINICAL)
    return (
        Note.objects.for_actor(actor)
        .filter(session__clinician=actor, session__status=Session.Status.COMPLETED, signed_at__isnull=True)
        .select_related("session", "session__patient")
        .order_by("session__started_at", "id")
    )


def superbills_between(*, actor: User, start: datetime, end: datetime) -> QuerySet[Session]:
    """Signed sessions that started in [start, end): the superbills to hand out (front desk and
    clinicians)."""
    require(actor=actor, capability=SUPERBILL)
    return (
        Session.objects.for_actor(actor)
        .filter(started_at__gte=start, started_at__lt=end, note__signed_at__isnull=False)
        .select_related("patient", "clinician")
        .order_by("started_at", "id")
    )
