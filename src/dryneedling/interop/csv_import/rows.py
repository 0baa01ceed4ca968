"""A file's rows read into our fields, without the database: the plan of an import.

`plan_file` reads the file, tells or takes the source, maps the headers by name and decides each
date column's order (refusing the file when it cannot, see `dates`). `patient_values` and
`appointment_values` read one row; a cell that cannot be read is a `RowError` naming the file's
own column header, so the preview says e.g. "row 4, Birth Date: '31/02/1980' is not a date".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dryneedling.interop.csv_import import columns, dates
from dryneedling.interop.csv_import.parse import CsvRefused, Table, read_table
from dryneedling.patients.models import Sex
from dryneedling.scheduling import rules

AUTO = "auto"


class RowError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


@dataclass
class Plan:
    kind: str
    source: str
    table: Table
    mapping: columns.Mapping
    orders: dict[str, str | None] = field(default_factory=dict)
    sha256: str = ""  # the file's digest: the audit names the file by it

    def cell(self, cells: list[str], key: str) -> str:
        """The first non-empty cell of the field's columns ('' when none)."""
        for index in self.mapping.columns.get(key, []):
            if index < len(cells) and cells[index]:
                return cells[index]
        return ""

    def cells(self, cells: list[str], key: str, *, file_order: bool = False) -> list[str]:
        """The non-empty cells of the field's columns, by preference (or in the file's order)."""
        indexes = self.mapping.columns.get(key, [])
        return [cells[i] for i in (sorted(indexes) if file_order else indexes) if i < len(cells) and cells[i]]

    def label(self, key: str) -> str:
        return self.mapping.label(key)


def plan_file(*, data: bytes, kind: str, source: str = AUTO, date_order: str | None = None) -> Plan:
    if kind not in columns.KIND_FIELDS:
        raise CsvRefused("Choose what the file holds: patients or appointments.")
    table = read_table(data)
    if source == AUTO:
        found = columns.detect_source(kind, table.headers)
        if found is None:
            raise CsvRefused(
                "The headers do not tell whether the file comes from Jane App or Cliniko: choose the source."
            )
        source = found
    if source not in columns.SOURCES:
        raise CsvRefused("Choose the source: Jane App or Cliniko.")
    mapping = columns.map_headers(kind, source, table.headers)
    missing = columns.missing_columns(kind, source, mapping)
    if missing:
        raise CsvRefused(" ".join(missing))
    plan = Plan(kind=kind, source=source, table=table, mapping=mapping, sha256=hashlib.sha256(data).hexdigest())
    for key, f in columns.KIND_FIELDS[kind].items():
        if not f.is_date or key not in mapping.columns:
            continue
        values = [(number, value) for number, cells in table.rows if (value := plan.cell(cells, key))]
        try:
            plan.orders[key] = dates.decide_order(plan.label(key), values, date_order)
        except (dates.DateOrderNeeded, dates.DateOrderConflict) as problem:
            raise CsvRefused(str(problem)) from None
    return plan


# --- patients -----------------------------------------------------------------------------------
SEXES = {
    Sex.FEMALE: ("female", "f", "woman", "femme"),
    Sex.MALE: ("male", "m", "man"),
    Sex.OTHER: ("other", "nonbinary", "x", "intersex", "genderqueer"),
    Sex.UNKNOWN: ("", "unknown", "u", "prefernottosay", "notspecified", "undisclosed", "declined"),
}
SEX_OF = {word: sex for sex, words in SEXES.items() for word in words}
PHONE = re.compile(r"\+?\(?\d[\d\s\-().]{4,}\d")  # "(03) 9555 0102" keeps its bracket


def first_phone(values: list[str]) -> str:
    """The first phone number of the cells (Cliniko may list several with labels in one cell); never
    cut: one too long is the row's error (patients.services)."""
    for value in values:
        if m := PHONE.search(value):
            return " ".join(m[0].split())
    return ""


def _date(plan: Plan, cells: list[str], key: str) -> date | None:
    value = plan.cell(cells, key)
    if not value:
        return None
    try:
        day, rest = dates.parse_date(value, plan.orders.get(key))
    except dates.DateProblem as problem:
        raise RowError(plan.label(key), str(problem)) from None
    return day


def patient_values(plan: Plan, cells: list[str]) -> dict[str, Any]:
    """The row as keyword arguments of `patients.services.patient_create`."""
    sex_text = plan.cell(cells, "sex")
    sex = SEX_OF.get(columns.normalise(sex_text))
    if sex is None:
        raise RowError(plan.label("sex"), f"{sex_text!r} is not a sex this import knows (female, male, other).")
    return {
        "given_name": plan.cell(cells, "given_name"),
        "family_name": plan.cell(cells, "family_name"),
        "date_of_birth": _date(plan, cells, "date_of_birth"),
        "sex": sex,
        "phone": first_phone(plan.cells(cells, "phone")),
        "email": plan.cell(cells, "email"),
        "address": ", ".join(plan.cells(cells, "address", file_order=True)),  # too long: the row's error
        "notes": plan.cell(cells, "notes"),
    }


# --- appointments -------------------------------------------------------------------------------
STATUS_WORDS = {
    rules.BOOKED: ("booked", "scheduled", "confirmed", "unconfirmed", "pending", "upcoming", "reserved", "unarrived"),
    rules.ARRIVED: ("arrived", "checkedin", "inprogress", "attended", "completed", "complete", "done", "seen"),
    rules.NO_SHOW: ("noshow", "didnotarrive", "dna", "missed", "didnotattend"),
    rules.CANCELLED: ("cancelled", "canceled", "latecancel", "latecancellation", "cancelledbypatient", "deleted"),
}
STATUS_OF = {word: status for status, words in STATUS_WORDS.items() for word in words}
YEARS = (1900, 2100)
FALSE = {"", "false", "no", "n", "0", "none", "null", "na", "nil", "notapplicable"}


@dataclass(frozen=True)
class AppointmentValues:
    source_id: str
    patient_id: str
    patient_name: str
    patient_dob: date | None
    clinician: str
    clinician_email: str
    appointment_type: str
    starts_at: datetime
    ends_at: datetime | None
    duration: int | None
    status: str
    cancel_reason: str


def _moment(plan: Plan, cells: list[str], key: str, zone: str, day: date | None) -> datetime | None:
    """An aware instant from the column (a date and time, or a time on `day` / the Date column)."""
    value = plan.cell(cells, key)
    if not value:
        return None
    label = plan.label(key)
    try:
        if dates.is_time_only(value):
            on = day or _date(plan, cells, "date")
            if on is None:
                raise RowError(label, f"{value!r} is a time without a date (the file has no Date column value).")
            at, offset = dates.parse_time(value)
        else:
            on, rest = dates.parse_date(value, plan.orders.get(key))
            if not rest:
                raise RowError(label, f"{value!r} has no time of day.")
            at, offset = dates.parse_time(rest)
        if not YEARS[0] <= on.year <= YEARS[1]:  # also keeps the zone arithmetic inside datetime's range
            raise RowError(label, f"{value!r}: an appointment's year is between {YEARS[0]} and {YEARS[1]}.")
        if offset:
            return dates.offset_datetime(on, at, offset)
        instant = rules.local_to_utc(on, at, zone)  # a skipped time (spring) raises
        local = datetime.combine(on, at, tzinfo=rules.zone(zone))
        if local.utcoffset() != local.replace(fold=1).utcoffset():  # not guessed: the offset says which
            raise RowError(
                label,
                f"{value!r} happens twice in {zone} (the clocks go back that night): add its offset, e.g. +10:00.",
            )
        return instant
    except (dates.DateProblem, rules.NonexistentLocalTime) as problem:
        raise RowError(label, str(problem)) from None


def _flag(plan: Plan, cells: list[str], key: str) -> bool:
    return columns.normalise(plan.cell(cells, key)) not in FALSE


def _status(plan: Plan, cells: list[str], starts_at: datetime, now: datetime) -> str:
    if _flag(plan, cells, "cancelled"):
        return rules.CANCELLED
    if _flag(plan, cells, "no_show"):
        return rules.NO_SHOW
    text = plan.cell(cells, "status")
    status = STATUS_OF.get(columns.normalise(text)) if text else None
    if text and status is None:
        known = ", ".join(sorted({w for words in STATUS_WORDS.values() for w in words[:2]}))
        raise RowError(plan.label("status"), f"{text!r} is not a status this import knows ({known}).")
    if status is None and _flag(plan, cells, "arrived"):
        status = rules.ARRIVED
    if status == rules.ARRIVED and starts_at < now:
        return rules.DONE  # the visit took place: it is history now
    return status or rules.BOOKED


def appointment_values(plan: Plan, cells: list[str], *, zone: str, now: datetime) -> AppointmentValues:
    starts_at = _moment(plan, cells, "start", zone, None)
    if starts_at is None:
        raise RowError(plan.label("start"), "The appointment has no start.")
    local_day = starts_at.astimezone(rules.zone(zone)).date()
    duration_text = plan.cell(cells, "duration")
    duration = None
    if duration_text:
        digits = re.match(r"^(\d{1,3})(?:\s*min\w*)?$", duration_text.strip())
        if not digits or not 0 < int(digits[1]) <= 600:
            raise RowError(plan.label("duration"), f"{duration_text!r} is not a length in minutes.")
        duration = int(digits[1])
    given, family = plan.cell(cells, "patient_given"), plan.cell(cells, "patient_family")
    return AppointmentValues(
        source_id=plan.cell(cells, "source_id"),
        patient_id=plan.cell(cells, "patient_id"),
        patient_name=plan.cell(cells, "patient_name") or f"{given} {family}".strip(),
        patient_dob=_date(plan, cells, "patient_dob"),
        clinician=plan.cell(cells, "clinician"),
        clinician_email=plan.cell(cells, "clinician_email"),
        appointment_type=plan.cell(cells, "appointment_type"),
        starts_at=starts_at,
        ends_at=_moment(plan, cells, "end", zone, local_day),
        duration=duration,
        status=_status(plan, cells, starts_at, now),
        cancel_reason=plan.cell(cells, "cancel_reason"),
    )


def local_text(at: datetime, zone: str) -> str:
    return at.astimezone(rules.zone(zone)).strftime("%Y-%m-%d %H:%M")
