"""The API's resources (issue 13, first part): who am I, patients (list, read, create), episodes.
Each goes through the clinic-scoped selectors and services the web uses; each read of records is
audited like the web's, marked `via: api` with the token's prefix."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Router, Status

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Role
from dryneedling.accounts.selectors import membership_for
from dryneedling.api.auth import require_write, token_of
from dryneedling.api.common import via
from dryneedling.api.pagination import page
from dryneedling.api.schemas import Duplicate, EpisodeOut, EpisodePage, Error, Me, PatientIn, PatientOut, PatientPage
from dryneedling.patients.models import Episode
from dryneedling.patients.selectors import (
    episode_get_for,
    patient_get_for,
    patient_list_for,
    patient_possible_duplicates_for,
)
from dryneedling.patients.services import patient_create
from dryneedling.patients.validation import reject_control_characters

router = Router()


@router.get("/me", response=Me, summary="The token's user, clinic, roles and scope")
def me(request: Any) -> dict[str, Any]:
    token = token_of(request)
    membership = membership_for(actor=request.user)
    roles = [role.value for role in Role if role in membership.roles]  # in the order of Role
    return {"user_id": token.user_id, "name": token.user.full_name, "clinic": token.clinic.slug, "roles": roles,
            "token_prefix": token.prefix, "scope": token.scope, "expires_at": token.expires_at}  # fmt: skip


@router.get("/patients", response={200: PatientPage, 400: Error}, summary="The clinic's patients, by last change")
def patients(
    request: Any, cursor: str | None = None, limit: int = 50, updated_since: datetime | None = None
) -> dict[str, Any]:
    found = page(patient_list_for(actor=request.user), cursor=cursor, limit=limit, updated_since=updated_since)
    with transaction.atomic():  # each record sent is in that patient's access trail, as a chart view is
        audit_record(actor=request.user, action="api.patients.list", object_type="patient",
                     detail=via(request, count=len(found["items"])))  # fmt: skip
        for one in found["items"]:
            audit_record(actor=request.user, action="patient.view", obj=one, detail=via(request))
    return found


@router.get("/patients/{patient_id}", response={200: PatientOut, 404: Error}, summary="One patient")
def patient(request: Any, patient_id: int) -> Any:
    found = patient_get_for(actor=request.user, patient_id=patient_id)
    audit_record(actor=request.user, action="patient.view", obj=found, detail=via(request))
    return found


@router.post(
    "/patients", response={201: PatientOut, 403: Error, 409: Duplicate, 422: Error}, summary="Register a patient"
)
def patient_new(request: Any, data: PatientIn) -> Any:
    """As the registration form: a patient of the same names and date of birth is asked about first."""
    require_write(request)
    fields = data.dict()
    confirmed = fields.pop("confirm_duplicate")
    try:
        names = {name: fields[name] for name in ("given_name", "family_name")}
        for name, value in names.items():  # checked before the lookup: PostgreSQL refuses a NUL (a 500)
            reject_control_characters(value, field=name, multiline=False)
        twins = patient_possible_duplicates_for(actor=request.user, date_of_birth=data.date_of_birth, **names)
        if twins and not confirmed:
            detail = (
                "A patient of the same names and date of birth exists: send confirm_duplicate true to register another."
            )
            return Status(409, {"detail": detail, "possible_duplicates": [p.pk for p in twins]})
        made = patient_create(actor=request.user, **fields)
    except ValidationError as error:
        problems = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        fields_at_fault = [{"loc": ["body", "data", field], "msg": " ".join(msgs)} for field, msgs in problems.items()]
        return Status(422, {"detail": fields_at_fault})
    return Status(201, made)


@router.get(
    "/episodes", response={200: EpisodePage, 400: Error, 404: Error}, summary="Episodes of care, by last change"
)
def episodes(
    request: Any,
    patient_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
    updated_since: datetime | None = None,
) -> dict[str, Any]:
    records = Episode.objects.for_actor(request.user).prefetch_related("conditions")
    if patient_id is not None:
        records = records.filter(patient=patient_get_for(actor=request.user, patient_id=patient_id))
    found = page(records, cursor=cursor, limit=limit, updated_since=updated_since)
    audit_record(actor=request.user, action="api.episodes.list", object_type="episode",
                 detail=via(request, count=len(found["items"])))  # fmt: skip
    return found


@router.get("/episodes/{episode_id}", response={200: EpisodeOut, 404: Error}, summary="One episode of care")
def episode(request: Any, episode_id: int) -> Any:
    found = episode_get_for(actor=request.user, episode_id=episode_id)
    audit_record(actor=request.user, action="episode.view", obj=found, detail=via(request))
    return found
