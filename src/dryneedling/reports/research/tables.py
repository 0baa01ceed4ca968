"""The tables of the research export: which columns, from which model fields, transformed how.

Each table reads one ``values_list`` query of the clinic's rows (the clinic-scoped managers; the SQL
is the ORM's, read without its converters: see ``stream_rows``) and maps
each row to its exported columns. Only the fields named here are read: free text (reasons, notes,
management, answers) and direct identifiers are never selected, so they cannot leak.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet

from dryneedling.accounts.models import Clinic
from dryneedling.followup.models import CheckIn, OutcomeRecord
from dryneedling.patients.models import Episode, EpisodeCondition, Patient
from dryneedling.reports.research.deidentify import Pseudonyms, age_years, zip3
from dryneedling.treatment.models import AdverseEvent, Insertion, Session

CHUNK = 20_000


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # string, int, float, date, bool
    model: type[models.Model] | None = None
    field: str | None = None
    note: str = ""
    """How the value was de-identified or derived (the data dictionary prints it)."""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[Clinic, Pseudonyms], Iterator[tuple[Any, ...]]]


KEY = "Pseudonymous key: a keyed hash (BLAKE2b) of the record id under a key drawn for this export and then discarded."
SHIFTED = "Shifted by the patient's random offset (1-182 days, same offset for all of a patient's dates)."


def _key(name: str, what: str) -> Column:
    return Column(name, "string", note=f"{what}. {KEY}")


def stream_rows(query: QuerySet[Any, Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a ``values_list`` query, read with the SQL the ORM compiles (so the clinic scope is
    the manager's) but without its per-value converters, which cost more than the whole export
    writes. Values come as the driver gives them; ``_day``, ``_moment`` and ``_json`` read both
    drivers' forms. A chunked (server-side on PostgreSQL) cursor keeps memory flat."""
    sql, params = query.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def _day(value: Any) -> dt.date | None:
    """A stored date or datetime (UTC) as a date: SQLite gives ISO text, PostgreSQL objects."""
    if value is None or type(value) is dt.date:
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date()  # type: ignore[no-any-return]


def _moment(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).replace(tzinfo=None)  # SQLite: naive UTC text


def _minutes(start: Any, end: Any) -> float | None:
    a, b = _moment(start), _moment(end)
    return round((b - a).total_seconds() / 60, 1) if a is not None and b is not None else None


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _episode_rows(clinic: Clinic, p: Pseudonyms) -> Iterator[tuple[Any, ...]]:
    codes: dict[int, list[str]] = {}
    conditions = EpisodeCondition.objects.for_clinic(clinic).order_by("episode_id", "position", "id")
    for episode_id, code in stream_rows(conditions.values_list("episode_id", "code")):
        codes.setdefault(episode_id, []).append(code)
    query = Episode.objects.for_clinic(clinic).order_by("id").values_list(
        "id", "patient_id", "patient__sex", "patient__date_of_birth", "patient__address", "referral_source",
        "status", "start_date", "end_date", "course_completed_at",
    )  # fmt: skip
    for pk, pid, sex, born, address, referral, status, start, end, completed in stream_rows(query):
        start, born = _day(start), _day(born)
        age = age_years(born, start) if born and start else None
        yield (
            p.key("episode", pk), p.key("patient", pid), sex, age, zip3(address), referral, status, p.date(pid, start),
            p.date(pid, _day(end)), p.date(pid, _day(completed)),
            ";".join(codes.get(pk, ())),
        )  # fmt: skip


def _session_rows(clinic: Clinic, p: Pseudonyms) -> Iterator[tuple[Any, ...]]:
    query = Session.objects.for_clinic(clinic).order_by("id").values_list(
        "id", "episode_id", "patient_id", "clinician_id", "payer", "status", "started_at", "ended_at",
        "chronic_low_back_pain", "needles_used", "needles_removed",
    )  # fmt: skip
    for pk, eid, pid, cid, payer, status, started, ended, clbp, used, removed in stream_rows(query):
        yield (
            p.key("session", pk), p.key("episode", eid), p.key("patient", pid), p.key("clinician", cid),
            p.date(pid, _day(started)), _minutes(started, ended), payer, status, bool(clbp), used, removed,
        )  # fmt: skip


def _insertion_rows(clinic: Clinic, p: Pseudonyms) -> Iterator[tuple[Any, ...]]:
    query = Insertion.objects.for_clinic(clinic).order_by("id").values_list(
        "id", "session_id", "muscle_id", "anatomical_muscle", "side", "technique", "handling",
        "needle_diameter_mm", "needle_length_mm", "target_depth_mm", "planned_seconds", "actual_seconds",
        "twitch_count", "electrical", "override_reason",
    )  # fmt: skip
    key = p.key
    rows = stream_rows(query)
    for pk, sid, muscle, member, side, technique, handling, diameter, *numbers, electrical, reason in rows:
        yield (
            key("insertion", pk), key("session", sid), muscle, member or None, side, technique, handling or None,
            float(diameter), *numbers, electrical is not None and electrical != "null", bool(reason),
        )  # fmt: skip


def _side_effect_rows(clinic: Clinic, p: Pseudonyms) -> Iterator[tuple[Any, ...]]:
    query = (
        AdverseEvent.objects.for_clinic(clinic)
        .order_by("id")
        .values_list("id", "session_id", "patient_id", "kind", "severity", "onset", "onset_at", "resolved_at")
    )
    for pk, sid, pid, kind, severity, onset, onset_at, resolved in stream_rows(query):
        start, end = _moment(onset_at), _moment(resolved)
        yield (
            p.key("side_effect", pk), p.key("session", sid), p.key("patient", pid), kind, severity, onset,
            p.date(pid, _day(onset_at)), p.date(pid, _day(resolved)),
            (end - start).days if start is not None and end is not None else None,
        )  # fmt: skip


def _outcome_rows(clinic: Clinic, p: Pseudonyms) -> Iterator[tuple[Any, ...]]:
    query = OutcomeRecord.objects.for_clinic(clinic).order_by("id").values_list(
        "id", "episode_id", "patient_id", "check_in__kind", "instrument_id", "value", "recorded_at",
        "episode__start_date", "verdict",
    )  # fmt: skip
    for pk, eid, pid, kind, instrument, value, recorded, start, verdict in stream_rows(query):
        day, first, verdict = _day(recorded), _day(start), _json(verdict) or {}
        yield (
            p.key("outcome", pk), p.key("episode", eid), p.key("patient", pid), kind, instrument, value,
            p.date(pid, day), (day - first).days if day and first else None, verdict.get("rule"), verdict.get("mcid"),
            verdict.get("responder"),
        )  # fmt: skip


def _check_in_rows(clinic: Clinic, p: Pseudonyms) -> Iterator[tuple[Any, ...]]:
    query = (
        CheckIn.objects.for_clinic(clinic)
        .order_by("id")
        .values_list("id", "session_id", "episode_id", "patient_id", "kind", "due_at", "answered_at", "red_flags")
    )
    for pk, sid, eid, pid, kind, due, answered, flags in stream_rows(query):
        late = _minutes(due, answered)
        yield (
            p.key("check_in", pk), p.key("session", sid), p.key("episode", eid), p.key("patient", pid), kind,
            p.date(pid, _day(due)), answered is not None, round(late / 1440, 1) if late is not None else None,
            len(_json(flags) or ()),
        )  # fmt: skip


TABLES: tuple[Table, ...] = (
    Table(
        "episodes",
        "One row per episode of care (a course of needling for one problem).",
        (
            _key("episode_key", "The episode"),
            _key("patient_key", "The patient"),
            Column("sex", "string", Patient, "sex"),
            Column(
                "age_years",
                "int",
                Patient,
                "date_of_birth",
                "Age in whole years at the episode's start; 90 means 90 or older (Safe Harbor).",
            ),
            Column(
                "zip3",
                "string",
                Patient,
                "address",
                "First 3 digits of a US ZIP code found in the address; 000 for areas of 20,000 people or fewer (HHS).",
            ),
            Column("referral_source", "string", Episode, "referral_source"),
            Column("status", "string", Episode, "status"),
            Column("start_date", "date", Episode, "start_date", SHIFTED),
            Column("end_date", "date", Episode, "end_date", SHIFTED),
            Column("course_completed_date", "date", Episode, "course_completed_at", SHIFTED),
            Column(
                "icd10_codes",
                "string",
                EpisodeCondition,
                "code",
                "The episode's ICD-10-CM codes in order, separated by ';'.",
            ),
        ),
        _episode_rows,
    ),
    Table(
        "sessions",
        "One row per needling session.",
        (
            _key("session_key", "The session"),
            _key("episode_key", "Its episode"),
            _key("patient_key", "Its patient"),
            _key("clinician_key", "The clinician who ran it"),
            Column("date", "date", Session, "started_at", SHIFTED),
            Column(
                "duration_minutes",
                "float",
                Session,
                "ended_at",
                "Minutes from start to completion (empty while in progress).",
            ),
            Column("payer", "string", Session, "payer"),
            Column("status", "string", Session, "status"),
            Column("chronic_low_back_pain", "bool", Session, "chronic_low_back_pain"),
            Column("needles_used", "int", Session, "needles_used"),
            Column("needles_removed", "int", Session, "needles_removed"),
        ),
        _session_rows,
    ),
    Table(
        "insertions",
        "One row per needled point.",
        (
            _key("insertion_key", "The point"),
            _key("session_key", "Its session"),
            Column("muscle_id", "string", Insertion, "muscle_id", "Knowledge-base muscle id (see `dryneedling kb`)."),
            Column("anatomical_muscle", "string", Insertion, "anatomical_muscle"),
            Column("side", "string", Insertion, "side"),
            Column("technique", "string", Insertion, "technique"),
            Column("handling", "string", Insertion, "handling"),
            Column("needle_diameter_mm", "float", Insertion, "needle_diameter_mm"),
            Column("needle_length_mm", "int", Insertion, "needle_length_mm"),
            Column("target_depth_mm", "int", Insertion, "target_depth_mm"),
            Column("planned_seconds", "int", Insertion, "planned_seconds"),
            Column("actual_seconds", "int", Insertion, "actual_seconds"),
            Column("twitch_count", "int", Insertion, "twitch_count"),
            Column(
                "electrical",
                "bool",
                Insertion,
                "electrical",
                "Whether electrical stimulation was used (its settings are not exported).",
            ),
            Column(
                "warning_overridden",
                "bool",
                Insertion,
                "override_reason",
                "Whether a guardrail warning was gone ahead with (the reason's text is not exported).",
            ),
        ),
        _insertion_rows,
    ),
    Table(
        "side_effects",
        "One row per side effect recorded after a session.",
        (
            _key("side_effect_key", "The side effect"),
            _key("session_key", "Its session"),
            _key("patient_key", "Its patient"),
            Column("kind", "string", AdverseEvent, "kind", "Side-effect id from the knowledge base."),
            Column("severity", "string", AdverseEvent, "severity"),
            Column("onset", "string", AdverseEvent, "onset"),
            Column("onset_date", "date", AdverseEvent, "onset_at", SHIFTED),
            Column("resolved_date", "date", AdverseEvent, "resolved_at", SHIFTED),
            Column(
                "days_to_resolve",
                "int",
                AdverseEvent,
                "resolved_at",
                "Whole days from onset to resolution (empty if open).",
            ),
        ),
        _side_effect_rows,
    ),
    Table(
        "outcomes",
        "One row per outcome score (NPRS, NDI, ODI, ...).",
        (
            _key("outcome_key", "The score"),
            _key("episode_key", "Its episode"),
            _key("patient_key", "Its patient"),
            Column(
                "check_in_kind",
                "string",
                CheckIn,
                "kind",
                "The check-in it was answered at (empty: entered in clinic).",
            ),
            Column("instrument_id", "string", OutcomeRecord, "instrument_id"),
            Column("value", "float", OutcomeRecord, "value"),
            Column("recorded_date", "date", OutcomeRecord, "recorded_at", SHIFTED),
            Column(
                "days_from_episode_start",
                "int",
                OutcomeRecord,
                "recorded_at",
                "Days from the episode's start to the score (not shifted: an interval).",
            ),
            Column(
                "mcid_rule", "string", OutcomeRecord, "verdict", "The rule of the stored verdict: points or relative."
            ),
            Column("mcid", "float", OutcomeRecord, "verdict", "The minimal clinically important difference applied."),
            Column(
                "responder",
                "bool",
                OutcomeRecord,
                "verdict",
                "Improvement of at least the MCID from the baseline (empty: the baseline itself).",
            ),
        ),
        _outcome_rows,
    ),
    Table(
        "check_ins",
        "One row per check-in sent to a patient.",
        (
            _key("check_in_key", "The check-in"),
            _key("session_key", "The session it follows"),
            _key("episode_key", "Its episode"),
            _key("patient_key", "Its patient"),
            Column("kind", "string", CheckIn, "kind"),
            Column("due_date", "date", CheckIn, "due_at", SHIFTED),
            Column("answered", "bool", CheckIn, "answered_at"),
            Column("days_late", "float", CheckIn, "answered_at", "Days from due to answered (negative: early)."),
            Column(
                "red_flag_count",
                "int",
                CheckIn,
                "red_flags",
                "How many red-flag answers were given (the answers are not exported).",
            ),
        ),
        _check_in_rows,
    ),
)


def source_label(column: Column) -> str:
    """``Model.field`` the column comes from, or empty."""
    if column.model is None or column.field is None:
        return ""
    return f"{column.model.__name__}.{column.field}"


def field_of(column: Column) -> models.Field[Any, Any] | None:
    if column.model is None or column.field is None:
        return None
    return column.model._meta.get_field(column.field)  # type: ignore[return-value]
