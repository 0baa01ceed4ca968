"""Cursor pagination with `updated_since` (issue 13): records in (updated_at, id) order, a cursor
naming the last one sent, so a client that syncs changes never skips or repeats a record even while
records change between pages."""

from __future__ import annotations

import base64
from datetime import datetime
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
        return datetime.fromisoformat(moment), int(pk)
    except (ValueError, UnicodeDecodeError) as error:
        raise HttpError(400, "cursor: not a cursor this API gave out; start again without it.") from error


def page(records: QuerySet[M], *, cursor: str | None, limit: int, updated_since: datetime | None) -> dict[str, Any]:
    """One page of ``records`` (each with ``updated_at``) and the cursor of the next, or None."""
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(400, f"limit: between 1 and {MAX_LIMIT}.")
    if updated_since is not None:
        if updated_since.tzinfo is None:
            raise HttpError(400, "updated_since: give a time zone, e.g. 2026-11-28T10:00:00Z.")
        records = records.filter(updated_at__gt=updated_since)
    if cursor:
        moment, pk = _decode(cursor)
        records = records.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
    rows = list(records.order_by("updated_at", "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    next_cursor = _encode(last.updated_at, last.pk) if more and last is not None else None  # type: ignore[attr-defined]
    return {"items": rows, "next_cursor": next_cursor}
