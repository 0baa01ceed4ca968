"""The clinical record through the API (issue 13, second part): screenings (list, read, submit
answers for a decision), sessions with their points and side effects, notes with their amendments.
Clinicians only, through the same selectors and services as the web: front desk and clinic admins
get a 403 with the clinical record's refusal in words.

Not offered, on purpose: running a session (it happens in the clinic, at the needle, with the
guardrails, the clean-technique checklist and the needle count on the clinician's screen) and
signing or amending a note (a signature says "I did this": given on the note's page by the
clinician who ran the session)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Query, Router, Status

from dryneedling.accounts.permissions import CLINICAL, require
from dryneedling.api.auth import require_write
from dryneedling.api.common import LISTED, FieldErrors, OfEpisode, OfPatient, audited, listed, refused, resolved
from dryneedling.api.schemas import Error
from dryneedling.api.schemas_clinical import (
    NoteOut,
    NotePage,
    ScreeningIn,
    ScreeningOut,
    ScreeningPage,
    SessionOut,
    SessionPage,
)
from dryneedling.intake.selectors import screening_get_for, screening_list_for
from dryneedling.intake.services import screening_record
from dryneedling.patients.selectors import episode_get_for, patient_get_for
from dryneedling.treatment.selectors import note_by_id_for, notes_for, session_get_for, session_list_for

router = Router(tags=["clinical record"])
ANSWER_KEY = re.compile(r"'([a-z0-9_]+)'")


class OfSession(OfEpisode):
    session_id: int | None = None


@router.get("/screenings", response=LISTED | {200: ScreeningPage}, summary="Screenings, by last change")
def screenings(request: Any, query: Query[OfPatient]) -> dict[str, Any]:
    return listed(request, screening_list_for(actor=request.user), query, what="screening")


@router.get("/screenings/{screening_id}", response={200: ScreeningOut, 403: Error, 404: Error}, summary="One screening")
def screening(request: Any, screening_id: int) -> Any:
    return audited(request, screening_get_for(actor=request.user, screening_id=screening_id), what="screening")


def _answer_errors(error: ValidationError) -> FieldErrors:
    """The engine's one-line refusal, placed on the answer it names (or on `answers`)."""
    if hasattr(error, "error_dict"):
        return refused(error, {"episode": "episode_id"})
    errors = []
    for message in error.messages:
        named = ANSWER_KEY.search(message)
        loc = ["body", "data", "answers", *([named.group(1)] if named else [])]
        errors.append({"loc": loc, "msg": message})
    return FieldErrors(errors)


@router.post(
    "/screenings",
    response={201: ScreeningOut, 403: Error, 422: Error},
    summary="Screen a patient: submit the answers, get the decision (write scope; clinicians)",
)
def screening_new(request: Any, data: ScreeningIn) -> Any:
    """As the web's screening form: the screening engine decides from the answers (suitable, with
    precautions, not at some sites, not now; referral; emergency) and the screening is stored."""
    require_write(request)
    require(actor=request.user, capability=CLINICAL)  # the role first, in words, before a record is read
    patient = resolved("patient_id", "patient", lambda: patient_get_for(actor=request.user, patient_id=data.patient_id))
    episode = None
    if data.episode_id is not None:
        episode_id = data.episode_id
        episode = resolved("episode_id", "episode", lambda: episode_get_for(actor=request.user, episode_id=episode_id))
    try:
        made = screening_record(actor=request.user, patient=patient, answers=data.answers, episode=episode)
    except ValidationError as error:
        raise _answer_errors(error) from None
    return Status(201, made)


@router.get("/sessions", response=LISTED | {200: SessionPage}, summary="Sessions with their points and side effects")
def sessions(request: Any, query: Query[OfEpisode]) -> dict[str, Any]:
    """Read only: a session is run in the clinic, with the guardrails at the needle."""
    records = session_list_for(actor=request.user).prefetch_related("insertions", "adverse_events")
    return listed(request, records, query, what="session")


@router.get("/sessions/{session_id}", response={200: SessionOut, 403: Error, 404: Error}, summary="One session")
def session(request: Any, session_id: int) -> Any:
    return audited(request, session_get_for(actor=request.user, session_id=session_id), what="session")


@router.get("/notes", response=LISTED | {200: NotePage}, summary="Session notes with their amendments (read only)")
def notes(request: Any, query: Query[OfSession]) -> dict[str, Any]:
    """Read only: a note is signed, or amended, on its page by the clinician who ran the session."""
    records = notes_for(actor=request.user)
    if query.session_id is not None:
        records = records.filter(session=session_get_for(actor=request.user, session_id=query.session_id))
    return listed(request, records, query, what="note", path="session__")


@router.get("/notes/{note_id}", response={200: NoteOut, 403: Error, 404: Error}, summary="One note")
def note(request: Any, note_id: int) -> Any:
    return audited(request, note_by_id_for(actor=request.user, note_id=note_id), what="note")
