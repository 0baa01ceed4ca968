"""The appointment book's rules as plain functions (no Django): overlap, the status path, working
hours, and clinic-local time. Services apply them; tests/scheduling/test_rules.py checks them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

BOOKED, ARRIVED, IN_SESSION, DONE, NO_SHOW, CANCELLED = (
    "booked",
    "arrived",
    "in_session",
    "done",
    "no_show",
    "cancelled",
)
STATUSES = (BOOKED, ARRIVED, IN_SESSION, DONE, NO_SHOW, CANCELLED)
LABELS = {
    BOOKED: "Booked",
    ARRIVED: "Arrived",
    IN_SESSION: "In session",
    DONE: "Done",
    NO_SHOW: "No-show",
    CANCELLED: "Cancelled",
}
# booked -> arrived -> in session -> done; a booked visit may become a no-show; a booked or
# arrived one may be cancelled (the patient leaves before being seen). An assessment without
# needling goes from arrived straight to done.
TRANSITIONS: dict[str, frozenset[str]] = {
    BOOKED: frozenset({ARRIVED, NO_SHOW, CANCELLED}),
    ARRIVED: frozenset({IN_SESSION, DONE, CANCELLED}),
    IN_SESSION: frozenset({DONE}),
    DONE: frozenset(),
    NO_SHOW: frozenset(),
    CANCELLED: frozenset(),
}
TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
# Only a cancellation frees the clinician's time: a no-show stays on the book as it happened.
FREEING = frozenset({CANCELLED})
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a clock change (e.g. 02:30 when clocks jump from 02:00 to 03:00)."""


def transition_problem(current: str, new: str) -> str | None:
    """None if `current` may become `new`; else a sentence saying why not."""
    if new in TRANSITIONS.get(current, frozenset()):
        return None
    allowed = sorted(LABELS[s].lower() for s in TRANSITIONS.get(current, frozenset()))
    then = f" (it can become: {', '.join(allowed)})" if allowed else " (it is closed)"
    return f"A {LABELS.get(current, current).lower()} appointment cannot become {LABELS.get(new, new).lower()}{then}."


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: 09:00-09:30 and 09:30-10:00 do not overlap."""
    return a_start < b_end and b_start < a_end


def fits_hours(start: datetime, end: datetime, blocks: Iterable[tuple[int, time, time]]) -> bool:
    """Whether [start, end) (naive, clinic-local) lies inside one block (weekday, from, to)."""
    if end.date() != start.date() and end.time() != time(0):
        return False
    if end.date() != start.date():  # ends exactly at midnight
        return False
    return any(
        weekday == start.weekday() and begins <= start.time() and end.time() <= ends for weekday, begins, ends in blocks
    )


def valid_zone(name: str) -> bool:
    return name in _zones()


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


_ZONES: set[str] | None = None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name) if valid_zone(name) else ZoneInfo("UTC")
    except ZoneInfoNotFoundError:  # pragma: no cover - valid_zone checked it
        return ZoneInfo("UTC")


def local_to_utc(day: date, at: time, zone_name: str) -> datetime:
    """The UTC instant of a wall-clock time in a zone; NonexistentLocalTime for a skipped time.
    An ambiguous time (clocks going back) is its first occurrence."""
    tz = zone(zone_name)
    local = datetime.combine(day, at, tzinfo=tz)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(
            f"{day:%Y-%m-%d} {at:%H:%M} does not exist in {zone_name} (the clocks change that night): "
            "choose another time."
        )
    return as_utc


def day_bounds(day: date, zone_name: str) -> tuple[datetime, datetime]:
    """The UTC start and end of a local day (23 or 25 hours on a clock change)."""
    tz = zone(zone_name)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def hours_text(blocks: Iterable[tuple[int, time, time]], weekday: int) -> str:
    return ", ".join(f"{b:%H:%M}–{e:%H:%M}" for d, b, e in sorted(blocks) if d == weekday)
