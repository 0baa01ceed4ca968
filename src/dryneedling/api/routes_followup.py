"""The follow-up loop through the API (issue 13, second part): check-ins with their answers,
outcome scores (list, read, and a score entered by a clinician through the web's service, with its
validation) and home-care plans. Clinicians only, as in the web: the front desk's view of the
check-in schedule (dates and links, no answers) stays on the patient page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from ninja import Query, Router, Status

from dryneedling.accounts.permissions import CLINICAL, require
from dryneedling.api.auth import require_write
from dryneedling.api.common import LISTED, OfEpisode, audited, listed, refused, resolved
from dryneedling.api.schemas import Error
from dryneedling.api.schemas_clinical import (
    CheckInOut,
    CheckInPage,
    HomeCarePlanOut,
    HomeCarePlanPage,
    OutcomeIn,
    OutcomeOut,
    OutcomePage,
)
from dryneedling.followup.selectors import (
    checkin_get_for,
    checkins_for,
    home_care_plan_get_for,
    home_care_plans_for,
    outcome_get_for,
    outcomes_for,
)
from dryneedling.followup.services import outcome_record
from dryneedling.patients.selectors import episode_get_for

router = Router(tags=["follow-up"])


@router.get("/check-ins", response=LISTED | {200: CheckInPage}, summary="Check-ins with their answers")
def check_ins(request: Any, query: Query[OfEpisode]) -> dict[str, Any]:
    return listed(request, checkins_for(actor=request.user), query, what="check_in")


@router.get("/check-ins/{check_in_id}", response={200: CheckInOut, 403: Error, 404: Error}, summary="One check-in")
def check_in(request: Any, check_in_id: int) -> Any:
    return audited(request, checkin_get_for(actor=request.user, check_in_id=check_in_id), what="check_in")


@router.get("/outcomes", response=LISTED | {200: OutcomePage}, summary="Outcome scores, by last change")
def outcomes(request: Any, query: Query[OfEpisode]) -> dict[str, Any]:
    return listed(request, outcomes_for(actor=request.user), query, what="outcome")


@router.get("/outcomes/{outcome_id}", response={200: OutcomeOut, 403: Error, 404: Error}, summary="One score")
def outcome(request: Any, outcome_id: int) -> Any:
    return audited(request, outcome_get_for(actor=request.user, outcome_id=outcome_id), what="outcome")


@router.post(
    "/outcomes",
    response={201: OutcomeOut, 403: Error, 422: Error},
    summary="Record a score entered by a clinician (write scope; clinicians)",
)
def outcome_new(request: Any, data: OutcomeIn) -> Any:
    """As the score form of the patient page: the instrument's total, checked against its range,
    with the MCID verdict against the episode's first score."""
    require_write(request)
    require(actor=request.user, capability=CLINICAL)  # the role first, in words, before a record is read
    episode = resolved("episode_id", "episode", lambda: episode_get_for(actor=request.user, episode_id=data.episode_id))
    try:
        made = outcome_record(actor=request.user, episode=episode, instrument_id=data.instrument_id, total=data.total)
    except ValidationError as error:
        raise refused(error, {}, default="total") from None
    return Status(201, made)


@router.get("/home-care-plans", response=LISTED | {200: HomeCarePlanPage}, summary="Home-care plans, by last change")
def home_care_plans(request: Any, query: Query[OfEpisode]) -> dict[str, Any]:
    return listed(request, home_care_plans_for(actor=request.user), query, what="home_care_plan")


@router.get("/home-care-plans/{plan_id}", response={200: HomeCarePlanOut, 403: Error, 404: Error},
            summary="One home-care plan")  # fmt: skip
def home_care_plan(request: Any, plan_id: int) -> Any:
    return audited(request, home_care_plan_get_for(actor=request.user, plan_id=plan_id), what="home_care_plan")
