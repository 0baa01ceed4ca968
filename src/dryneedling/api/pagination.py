"""Cursor pagination with `updated_since` (issue 13): records in (updated_at, id) order and a cursor
naming the last one sent, so paging does not shift while records change (an offset would), and a
record changed meanwhile comes again later in the walk, with its new content. `updated_at` is
stamped at every save (`patients.models.Touched`), not at commit: a transaction that commits after
a page was served can sort behind its cursor, so a sync client asks from a little before its last
sync (the API's documentation says a minute) and treats records as upserts."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from ninja.errors import HttpError

M = TypeVar("M", bound=Model)
MAX_LIMIT = 200


def _encode(moment: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{pk}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = text.rsplit("|", 1)
        return _utc(datetime.fromisoformat(moment), "cursor"), int(pk)
    except (ValueError, UnicodeDecodeError) as error:
        raise HttpError(400, "cursor: not a cursor this API gave out; start again without it.") from error


def _utc(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise HttpError(400, f"{field}: give a time zone, e.g. 2026-11-28T10:00:00Z.")
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        raise HttpError(400, f"{field}: a moment between the years 1 and 9999 in UTC.") from error


def page(records: QuerySet[M], *, cursor: str | None, limit: int, updated_since: datetime | None) -> dict[str, Any]:
    """One page of ``records`` (each with ``updated_at``) and the cursor of the next, or None."""
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(400, f"limit: between 1 and {MAX_LIMIT}.")
    if updated_since is not None:
        records = records.filter(updated_at__gt=_utc(updated_since, "updated_since"))
    if cursor:
        moment, pk = _decode(cursor)
        records = records.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
    rows = list(records.order_by("updated_at", "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    next_cursor = _encode(last.updated_at, last.pk) if more and last is not None else None  # type: ignore[attr-defined]
    return {"items": rows, "next_cursor": next_cursor}
