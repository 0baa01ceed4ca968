"""Starting a session (gated), the clean-technique checklist, and completing the session with
its needle count. Points are checked and recorded in `insertion.py`.

What other apps know about the start (the clinician's credentials, open follow-ups) and what
follows the completion (the note's draft, the check-ins) is gathered and done by the care layer,
`dryneedling.care.session`, which calls these services: treatment imports no higher app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.clinical.billing import ABN_OPTIONS, Abn
from dryneedling.clinical.clean_technique import CLEAN_TECHNIQUE
from dryneedling.patients.models import Episode
from dryneedling.patients.selectors import episode_get_for
from dryneedling.treatment.models import AdverseEvent, Payer, Session
from dryneedling.treatment.selectors import Readiness, session_get_for, session_readiness_for
from dryneedling.treatment.services.common import (
    PRECAUTION_ACK_MISSING,
    REASON_MIN_CHARS,
    bump_version,
    require_clinician,
)
from dryneedling.treatment.services.insertion import InsertionPlan, insertion_check, insertion_record

__all__ = [
    "CHECKLIST_RESCREEN",
    "POSITIONS",
    "InsertionPlan",
    "insertion_check",
    "insertion_record",
    "session_clean_technique_record",
    "session_complete",
    "session_start",
]

# What can change between visits (pre-session checklist). A "yes" to any of the first three
# means the stored screening no longer describes the patient: screen again before needling.
CHECKLIST_RESCREEN = {
    "new_anticoagulants": "New anticoagulant or antiplatelet medication",
    "possibly_pregnant": "Pregnancy or possible pregnancy since the screening",
    "new_symptoms": "New or changed symptoms (including red flags) since the screening",
}
POSITIONS = {"prone": "Prone", "supine": "Supine", "side_lying": "Side-lying", "seated": "Seated"}
# Side effects that account for a needle the count is missing.
MISSING_NEEDLE_EVENTS = ("retained_needle", "broken_needle")


def _checklist(checklist: dict[str, Any]) -> dict[str, Any]:
    for key in (*CHECKLIST_RESCREEN, "new_medication"):
        if checklist.get(key) not in (True, False):
            raise ValidationError({key: "Answer every question of the checklist."})
    changed = [label for key, label in CHECKLIST_RESCREEN.items() if checklist[key]]
    if changed:
        raise ValidationError(f"Screen again before needling — changed since the screening: {'; '.join(changed)}.")
    if checklist.get("position") not in POSITIONS:
        raise ValidationError({"position": "Record the patient's position."})
    return {key: bool(checklist[key]) for key in (*CHECKLIST_RESCREEN, "new_medication")} | {
        "position": checklist["position"]
    }


def _acknowledged(readiness: Readiness, acknowledgements: dict[str, str]) -> list[dict[str, str]]:
    """Each precaution of the screening with the clinician's stated action (at least a few words)."""
    acks, missing = [], []
    for reason in readiness.precautions:
        rule_id = str(reason["rule_id"])
        action = (acknowledgements.get(rule_id) or "").strip()
        if len(action) < REASON_MIN_CHARS or len(action) > 500 or "\x00" in action:
            missing.append(rule_id)
            continue
        acks.append({"rule_id": rule_id, "reason": str(reason.get("text", "")), "action": action})
    if missing:
        raise ValidationError({f"ack_{rule_id}": PRECAUTION_ACK_MISSING for rule_id in missing})
    return acks


@transaction.atomic
def session_start(
    *,
    actor: User,
    episode: Episode,
    checklist: dict[str, Any],
    payer: str,
    blockers: Sequence[str],
    chronic_low_back_pain: bool = False,
    acknowledgements: dict[str, str] | None = None,
    abn: Abn | None = None,
) -> Session:
    """Start a session. `blockers` are the problems other apps found (the clinician's credentials,
    open follow-ups of serious side effects): required, so no caller forgets to ask for them."""
    require_clinician(actor)
    episode = episode_get_for(actor=actor, episode_id=episode.pk)
    readiness = session_readiness_for(actor=actor, episode=episode)
    problems = readiness.problems + list(blockers)
    if problems:
        raise ValidationError(problems)
    if payer not in Payer.values:
        raise ValidationError({"payer": "Choose the payer."})
    abn = _abn(abn, payer=payer)
    clean = _checklist(checklist)
    acks = _acknowledged(readiness, acknowledgements or {})
    assert readiness.screening is not None and readiness.consent is not None
    try:
        with transaction.atomic():
            session = Session.objects.create(
                clinic=episode.clinic,
                patient=episode.patient,
                episode=episode,
                clinician=actor,
                screening=readiness.screening,
                consent=readiness.consent,
                checklist=clean,
                payer=payer,
                chronic_low_back_pain=chronic_low_back_pain,
                precaution_acks=acks,
                abn_issued=abn.issued,
                abn_issued_on=abn.issued_on,
                abn_signed=abn.signed,
                abn_option=abn.option,
            )
    except IntegrityError:
        raise ValidationError("Another session for this patient has just been started: open it instead.") from None
    audit_record(
        actor=actor,
        action="session.start",
        obj=session,
        detail={
            "episode_id": episode.pk,
            "precautions_acknowledged": [a["rule_id"] for a in acks],
            "payer": payer,
            "abn": _abn_detail(abn),
        },
    )
    return session


def _abn_detail(abn: Abn) -> dict[str, Any]:
    return {"issued": abn.issued, "on": str(abn.issued_on or ""), "signed": abn.signed, "option": abn.option}


@transaction.atomic
def session_abn_record(*, actor: User, session: Session, expected_version: int, abn: Abn) -> Session:
    """Record or correct the Medicare ABN of a session after its start (audited, before and after)."""
    require_clinician(actor)
    session = session_get_for(actor=actor, session_id=session.pk)
    abn = _abn(abn, payer=session.payer)
    before = Abn(session.abn_issued, session.abn_issued_on, session.abn_signed, session.abn_option)
    bump_version(
        session,
        expected=expected_version,
        abn_issued=abn.issued,
        abn_issued_on=abn.issued_on,
        abn_signed=abn.signed,
        abn_option=abn.option,
    )
    audit_record(
        actor=actor,
        action="session.abn",
        obj=session,
        detail={"before": _abn_detail(before), "after": _abn_detail(abn)},
    )
    return session


def _abn(abn: Abn | None, *, payer: str) -> Abn:
    """The ABN as stored: only for Medicare; when given, its date (not in the future) and option."""
    if abn is None or not abn.issued:
        return Abn(issued=False)
    if payer != Payer.MEDICARE:
        raise ValidationError({"abn_issued": "An ABN is a Medicare notice: untick it, or choose Medicare as payer."})
    if abn.issued_on is None:
        raise ValidationError({"abn_issued_on": "Enter the date the ABN was given to the patient."})
    if abn.issued_on > timezone.localdate():
        raise ValidationError({"abn_issued_on": "The ABN cannot be dated after today."})
    if abn.option not in ABN_OPTIONS:
        raise ValidationError({"abn_option": "Choose the option the patient ticked on the ABN (1, 2 or 3)."})
    return abn


@transaction.atomic
def session_clean_technique_record(
    *, actor: User, session: Session, expected_version: int, ticked: list[str]
) -> Session:
    """The clean-technique checklist, done once before the first insertion."""
    require_clinician(actor)
    session = session_get_for(actor=actor, session_id=session.pk)
    if session.status != Session.Status.IN_PROGRESS:
        raise ValidationError("This session is completed.")
    missing = [item.label for item in CLEAN_TECHNIQUE if item.id not in ticked]
    if missing:
        raise ValidationError("Before the first insertion, confirm: " + "; ".join(missing) + ".")
    record = {item.id: True for item in CLEAN_TECHNIQUE} | {"at": timezone.now().isoformat()}
    bump_version(session, expected=expected_version, clean_technique=record)
    audit_record(actor=actor, action="session.clean_technique", obj=session)
    return session


@transaction.atomic
def session_complete(
    *, actor: User, session: Session, expected_version: int, needles_used: int, needles_removed: int
) -> Session:
    """Complete the session once every needle is accounted for. The note's draft and the check-ins
    follow in `dryneedling.care.session.session_complete`, in the same transaction."""
    require_clinician(actor)
    session = session_get_for(actor=actor, session_id=session.pk)
    if session.status != Session.Status.IN_PROGRESS:
        raise ValidationError("This session is already completed.")
    points = session.insertions.count()
    if not 0 <= needles_removed <= 500 or not 0 <= needles_used <= 500:
        raise ValidationError({"needles_used": "Count the needles: whole numbers from 0 to 500."})
    if points and needles_used < 1:
        raise ValidationError({"needles_used": f"{points} points were needled: enter the number of needles used."})
    if needles_removed > needles_used:
        raise ValidationError({"needles_removed": "More needles removed than used: count again."})
    if needles_removed < needles_used:
        accounted = (
            AdverseEvent.objects.for_clinic(session.clinic_id)
            .filter(session=session, kind__in=MISSING_NEEDLE_EVENTS)
            .exists()
        )
        if not accounted:
            raise ValidationError(
                {
                    "needles_removed": f"{needles_used - needles_removed} needle(s) not accounted for: search for them "
                    "and count again, or record a retained or broken needle as a side effect before completing."
                }
            )
    bump_version(
        session,
        expected=expected_version,
        status=Session.Status.COMPLETED,
        ended_at=timezone.now(),
        needles_used=needles_used,
        needles_removed=needles_removed,
    )
    audit_record(
        actor=actor,
        action="session.complete",
        obj=session,
        detail={"needles_used": needles_used, "needles_removed": needles_removed},
    )
    return session
