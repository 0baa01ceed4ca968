"""What the API's resource modules share (issue 13, second part): an audited page and an audited
read (every record sent is in its patient's access trail, as a page of the web shows it), a
service's refusal turned into JSON errors naming the request's fields, and a body's id resolved
through the clinic-scoped selectors (another clinic's id: a field error, its denial recorded)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from ninja import Field, Schema

from dryneedling.accounts.audit import audit_record
from dryneedling.api.auth import token_of
from dryneedling.api.pagination import MAX_LIMIT, page
from dryneedling.api.pagination import _utc as utc
from dryneedling.api.schemas import Error
from dryneedling.patients.selectors import episode_get_for, patient_get_for

M = TypeVar("M", bound=Model)
T = TypeVar("T")


class FieldErrors(Exception):
    """A 422 answer (main.py): {"detail": [{"loc": ["body", "data", field], "msg": words}, ...]}."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


# A list route's answers; the route's page schema replaces 200 (`LISTED | {200: XPage}`).
LISTED = {200: Error, 400: Error, 403: Error, 404: Error}


def via(request: Any, **more: Any) -> dict[str, Any]:
    return {"via": "api", "token": token_of(request).prefix, **more}


def audited_page(
    request: Any,
    records: QuerySet[M],
    *,
    what: str,
    cursor: str | None,
    limit: int,
    updated_since: datetime | None,
) -> dict[str, Any]:
    """One page of `records` (see pagination.page); a list row and a `<what>.view` row per record."""
    found = page(records, cursor=cursor, limit=limit, updated_since=updated_since)
    with transaction.atomic():
        audit_record(actor=request.user, action=f"api.{what}.list", object_type=what,
                     detail=via(request, count=len(found["items"])))  # fmt: skip
        for one in found["items"]:
            audit_record(actor=request.user, action=f"{what}.view", obj=one, detail=via(request))
    return found


def audited(request: Any, record: M, *, what: str) -> M:
    """One record read: a `<what>.view` row, as the web's record_view writes."""
    audit_record(actor=request.user, action=f"{what}.view", obj=record, detail=via(request))
    return record


class Paging(Schema):
    """A list's query: a page by cursor, of the records changed since a moment."""

    cursor: str | None = Field(None, description="The next_cursor of the previous page.")
    limit: int = Field(50, description=f"Records a page, 1 to {MAX_LIMIT}.")
    updated_since: datetime | None = Field(None, description="Only records changed after (with a time zone).")


class OfPatient(Paging):
    patient_id: int | None = None


class OfEpisode(OfPatient):
    episode_id: int | None = None


def listed(request: Any, records: QuerySet[M], query: Paging, *, what: str, path: str = "") -> dict[str, Any]:
    """An audited page of `records`, of the query's patient and/or episode (another clinic's id: a
    recorded 404); `path` is the lookup from a record to them ("session__" for a note's)."""
    patient_id, episode_id = getattr(query, "patient_id", None), getattr(query, "episode_id", None)
    if patient_id is not None:
        records = records.filter(**{f"{path}patient": patient_get_for(actor=request.user, patient_id=patient_id)})
    if episode_id is not None:
        records = records.filter(**{f"{path}episode": episode_get_for(actor=request.user, episode_id=episode_id)})
    return audited_page(request, records, what=what, cursor=query.cursor, limit=query.limit,
                        updated_since=query.updated_since)  # fmt: skip


def field_error(field: str, message: str) -> dict[str, Any]:
    return {"loc": ["body", "data", field], "msg": message}


def refused(error: ValidationError, fields: Mapping[str, str], default: str = "") -> FieldErrors:
    """A service's ValidationError as field errors: its field names become the request's (`fields`,
    e.g. "time" -> "starts_at"); a message of no field is put on `default` (or the whole body)."""
    problems = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    errors = []
    for name, messages in problems.items():
        field = fields.get(name, default if name == "__all__" else name)
        loc = ["body", "data", field] if field else ["body", "data"]
        errors.append({"loc": loc, "msg": " ".join(messages)})
    return FieldErrors(errors)


def resolved(field: str, what: str, find: Callable[[], T]) -> T:
    """The record a body's id names, through a clinic-scoped selector; none in the clinic is a
    field error (the selector has recorded the denial of another clinic's id)."""
    try:
        return find()
    except Http404:
        raise FieldErrors([field_error(field, f"No such {what} in your clinic.")]) from None


def aware(moment: datetime | None, field: str) -> datetime | None:
    """A query's moment, which must name its time zone (400 naming the field otherwise)."""
    return None if moment is None else utc(moment, field)
