"""Dates and times as exports write them, and the day/month order of each date column.

ISO dates (2025-03-14, with or without a time and an offset) and dates with a month name
(14 Mar 2025, Mar 14, 2025) are read as they are. A numeric date (03/04/2025, 14.03.2025) could be
day-first or month-first: the order is decided per column from ALL its values. A value with a
part over 12 proves the order (14/03 is day-first); a value whose two parts are equal (03/03)
reads the same either way. If no value proves it and the user chose no order, the column is
refused (`DateOrderNeeded`) with an example row; if some values prove day-first and others
month-first, it is refused whatever the user chose (`DateOrderConflict`). A two-digit year is
refused in the row (the century is a guess, and a date of birth must not be guessed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

DMY, MDY = "dmy", "mdy"
ORDER_LABELS = {DMY: "day first (31/12/2025)", MDY: "month first (12/31/2025)"}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]+(.*))?$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})(?:[ T,]+(.*))?$")
_DAY_NAMED = re.compile(r"^(\d{1,2})[ \-]([A-Za-z]{3,9})\.?[ \-,]+(\d{4})(?:[ T,]+(.*))?$")
_NAMED_DAY = re.compile(r"^([A-Za-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})(?:[ T,]+(.*))?$")
_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,? ", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp])?\.?[Mm]?\.?\s*(Z|[+-]\d{2}:?\d{2})?$")
_MONTHS = {m: i for i, m in enumerate(("jan feb mar apr may jun jul aug sep oct nov dec").split(), start=1)}


class DateProblem(ValueError):
    """A value that is not a date (or time) this reader knows; the message says what to write."""


class DateOrderNeeded(ValueError):
    """Every numeric date of a column could be either order, and the user chose none."""


class DateOrderConflict(ValueError):
    """Some dates of a column are day-first and others month-first."""


@dataclass(frozen=True)
class Split:
    """A value taken apart: numeric parts (a, b, year) or a date already known, and the time text."""

    numeric: tuple[int, int, int] | None
    known: date | None
    rest: str


def _month(name: str) -> int:
    number = _MONTHS.get(name[:3].casefold())
    if number is None:
        raise DateProblem(f"{name!r} is not a month.")
    return number


def split(value: str) -> Split:
    text = _WEEKDAY.sub("", value.strip())
    if m := _ISO.match(text):
        return Split(None, _make(int(m[1]), int(m[2]), int(m[3]), value), m[4] or "")
    if m := _NUMERIC.match(text):
        if len(m[3]) != 4:
            raise DateProblem(f"{value!r}: write the year with four digits (e.g. 1984, not 84).")
        return Split((int(m[1]), int(m[2]), int(m[3])), None, m[4] or "")
    if m := _DAY_NAMED.match(text):
        return Split(None, _make(int(m[3]), _month(m[2]), int(m[1]), value), m[4] or "")
    if m := _NAMED_DAY.match(text):
        return Split(None, _make(int(m[3]), _month(m[1]), int(m[2]), value), m[4] or "")
    raise DateProblem(f"{value!r} is not a date (write e.g. 2025-03-14 or 14/03/2025).")


def _make(year: int, month: int, day: int, value: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateProblem(f"{value!r} is not a date of the calendar.") from None


def evidence(parts: tuple[int, int, int]) -> str | None:
    """DMY or MDY when the value proves the order; None when either order reads it."""
    a, b, _ = parts
    if a > 12 >= b:
        return DMY
    if b > 12 >= a:
        return MDY
    return None


def decide_order(label: str, values: list[tuple[int, str]], chosen: str | None) -> str | None:
    """The order of one column from all its (row, value) pairs; raises when it cannot be decided.
    None when the column has no numeric dates (ISO or month names only)."""
    proofs: dict[str, tuple[int, str]] = {}
    ambiguous: tuple[int, str] | None = None
    for row, value in values:
        try:
            parts = split(value).numeric
        except DateProblem:
            continue  # the row reports it
        if parts is None:
            continue
        found = evidence(parts)
        if found:
            proofs.setdefault(found, (row, value))
        elif parts[0] != parts[1] and ambiguous is None:
            ambiguous = (row, value)
    if DMY in proofs and MDY in proofs:
        (d_row, d_value), (m_row, m_value) = proofs[DMY], proofs[MDY]
        raise DateOrderConflict(
            f"Column {label!r} mixes date orders: {d_value!r} (row {d_row}) is day-first but {m_value!r} "
            f"(row {m_row}) is month-first. Correct the file so the column uses one order."
        )
    if proofs:
        order, (row, value) = next(iter(proofs.items()))
        if chosen and chosen != order:
            raise DateOrderConflict(
                f"Column {label!r} has {value!r} (row {row}), which is {ORDER_LABELS[order]}, but you chose "
                f"{ORDER_LABELS[chosen]}."
            )
        return order
    if ambiguous is None:
        return chosen  # no numeric date that the order changes
    if chosen:
        return chosen
    row, value = ambiguous
    raise DateOrderNeeded(
        f"Every date in column {label!r} could be read day-first or month-first (e.g. {value!r} in row {row}): "
        "choose the date order of the file."
    )


def parse_date(value: str, order: str | None) -> tuple[date, str]:
    """The date of a value and the text after it (a time, or '')."""
    parts = split(value)
    if parts.known is not None:
        return parts.known, parts.rest
    assert parts.numeric is not None
    a, b, year = parts.numeric
    if a == b:
        return _make(year, a, a, value), parts.rest
    if order is None:
        raise DateProblem(f"{value!r}: choose the date order of the file.")
    day, month = (a, b) if order == DMY else (b, a)
    return _make(year, month, day, value), parts.rest


def parse_time(text: str) -> tuple[time, str | None]:
    """A wall-clock time and its UTC offset text (None: local to the clinic)."""
    m = _TIME.match(text.strip())
    if not m:
        raise DateProblem(f"{text!r} is not a time (write e.g. 09:30 or 9:30 AM).")
    hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    if m[4]:
        if not 1 <= hour <= 12:
            raise DateProblem(f"{text!r} is not a time.")
        hour = hour % 12 + (12 if m[4].casefold() == "p" else 0)
    try:
        return time(hour, minute, second), m[5]
    except ValueError:
        raise DateProblem(f"{text!r} is not a time.") from None


def is_time_only(value: str) -> bool:
    return bool(_TIME.match(value.strip()))


def offset_datetime(day: date, at: time, offset: str) -> datetime:
    """An aware datetime from a date, a time and an offset text (Z, +10:00, -0500)."""
    text = "+00:00" if offset == "Z" else offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"
    try:
        return datetime.fromisoformat(f"{day.isoformat()}T{at.isoformat()}{text}")
    except ValueError:  # e.g. +99:99
        raise DateProblem(f"{offset!r} is not a time zone offset (write e.g. +10:00 or Z).") from None
