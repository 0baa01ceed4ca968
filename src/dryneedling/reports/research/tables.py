"""The tables of the research export: which columns, from which model fields, transformed how.

Each table reads one ``values_list`` query of the clinic's rows (the clinic-scoped managers; the SQL
is the ORM's, read without its converters: see ``stream_batches``) and maps each batch of rows to
its exported columns, column by column. Only the fields named here are read: free text (reasons, notes,
management, answers) and direct identifiers are never selected, so they cannot leak.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform

from dryneedling.accounts.models import Clinic
from dryneedling.followup.models import CheckIn, OutcomeRecord
from dryneedling.patients.models import Episode, EpisodeCondition, Patient
from dryneedling.reports.research.deidentify import Pseudonyms, age_years, zip3
from dryneedling.reports.research.sql import EpochDay, JsonArrayLength, Seconds
from dryneedling.treatment.models import AdverseEvent, Insertion, Session

CHUNK = 50_000  # rows per batch: one Arrow table, one Parquet row group
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


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
    batches: Callable[[Clinic, Pseudonyms], Iterator[list[Sequence[Any]]]]
    """The table's rows in batches, column by column (dates as days since 1970-01-01)."""


KEY = "Pseudonymous key: a keyed hash (BLAKE2b) of the record id under a key drawn for this export and then discarded."
SHIFTED = "Shifted by the patient's random offset (1-182 days, same offset for all of a patient's dates)."


def _key(name: str, what: str) -> Column:
    return Column(name, "string", note=f"{what}. {KEY}")


def stream_batches(query: QuerySet[Any, Any]) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of a ``values_list`` query in batches of ``CHUNK``, read with the SQL the ORM compiles
    (so the clinic scope is the manager's) but without its per-value converters, which cost more
    than the whole export writes: dates and JSON are read by SQL expressions (``sql.py``) as plain
    numbers and text. A chunked (server-side on PostgreSQL) cursor keeps memory flat."""
    sql, params = query.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield rows


def _columns(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return list(zip(*rows, strict=True))


def _blank(values: Sequence[Any]) -> list[Any]:
    """Empty text as missing."""
    return [value or None for value in values]


def _json_text(values: Sequence[Any]) -> list[Any]:
    """A JSON value read as text (SQLite's JSON_TYPE names null "null"; PostgreSQL's ->> gives NULL)."""
    return [None if value is None or value == "null" else value for value in values]


def _json_bool(values: Sequence[Any]) -> list[bool | None]:
    return [True if value in ("true", True) else False if value in ("false", False) else None for value in values]


def _json_float(values: Sequence[Any]) -> list[float | None]:
    return [None if value is None or value == "null" else float(value) for value in values]


def _minutes(seconds: Sequence[float | None]) -> list[float | None]:
    return [None if value is None else round(value / 60, 1) for value in seconds]


def _episode_batches(clinic: Clinic, p: Pseudonyms) -> Iterator[list[Sequence[Any]]]:
    codes: dict[int, list[str]] = {}
    conditions = EpisodeCondition.objects.for_clinic(clinic).order_by("episode_id", "position", "id")
    for rows in stream_batches(conditions.values_list("episode_id", "code")):
        for episode_id, code in rows:
            codes.setdefault(episode_id, []).append(code)
    query = Episode.objects.for_clinic(clinic).order_by("id").values_list(
        "id", "patient_id", "patient__sex", EpochDay("patient__date_of_birth"), "patient__address", "referral_source",
        "status", EpochDay("start_date"), EpochDay("end_date"), EpochDay("course_completed_at"),
    )  # fmt: skip
    for rows in stream_batches(query):
        pk, pid, sex, born, address, referral, status, start, end, completed = _columns(rows)
        ages = [
            age_years(_date(b), _date(s)) if b is not None and s is not None else None
            for b, s in zip(born, start, strict=True)
        ]
        yield [
            p.keys("episode", pk, repeats=False), p.keys("patient", pid), sex, ages, [zip3(a) for a in address],
            referral, status, p.epoch_days(pid, start), p.epoch_days(pid, end), p.epoch_days(pid, completed),
            [";".join(codes.get(one, ())) for one in pk],
        ]  # fmt: skip


def _date(epoch_day: int) -> dt.date:
    return dt.date.fromordinal(EPOCH_ORDINAL + epoch_day)


def _session_batches(clinic: Clinic, p: Pseudonyms) -> Iterator[list[Sequence[Any]]]:
    query = Session.objects.for_clinic(clinic).order_by("id").values_list(
        "id", "episode_id", "patient_id", "clinician_id", EpochDay("started_at"), Seconds("ended_at", "started_at"),
        "payer", "status", "chronic_low_back_pain", "needles_used", "needles_removed",
    )  # fmt: skip
    for rows in stream_batches(query):
        pk, eid, pid, cid, started, seconds, payer, status, clbp, used, removed = _columns(rows)
        yield [
            p.keys("session", pk, repeats=False), p.keys("episode", eid), p.keys("patient", pid),
            p.keys("clinician", cid), p.epoch_days(pid, started), _minutes(seconds), payer, status,
            [bool(v) for v in clbp], used, removed,
        ]  # fmt: skip


def _insertion_batches(clinic: Clinic, p: Pseudonyms) -> Iterator[list[Sequence[Any]]]:
    query = Insertion.objects.for_clinic(clinic).order_by("id").values_list(
        "id", "session_id", "muscle_id", "anatomical_muscle", "side", "technique", "handling",
        "needle_diameter_mm", "needle_length_mm", "target_depth_mm", "planned_seconds", "actual_seconds",
        "twitch_count", "electrical", "override_reason",
    )  # fmt: skip
    for rows in stream_batches(query):
        pk, sid, muscle, member, side, technique, handling, diameter, *numbers, electrical, reason = _columns(rows)
        yield [
            p.keys("insertion", pk, repeats=False), p.keys("session", sid), muscle, _blank(member), side, technique,
            _blank(handling), [float(d) for d in diameter], *numbers,
            [e is not None and e != "null" for e in electrical], [bool(r) for r in reason],
        ]  # fmt: skip


def _side_effect_batches(clinic: Clinic, p: Pseudonyms) -> Iterator[list[Sequence[Any]]]:
    query = AdverseEvent.objects.for_clinic(clinic).order_by("id").values_list(
        "id", "session_id", "patient_id", "kind", "severity", "onset", EpochDay("onset_at"), EpochDay("resolved_at"),
        Seconds("resolved_at", "onset_at"),
    )  # fmt: skip
    for rows in stream_batches(query):
        pk, sid, pid, kind, severity, onset, onset_day, resolved_day, seconds = _columns(rows)
        yield [
            p.keys("side_effect", pk, repeats=False), p.keys("session", sid), p.keys("patient", pid), kind, severity,
            onset, p.epoch_days(pid, onset_day), p.epoch_days(pid, resolved_day),
            [None if s is None else math.floor(s / 86400) for s in seconds],
        ]  # fmt: skip


def _outcome_batches(clinic: Clinic, p: Pseudonyms) -> Iterator[list[Sequence[Any]]]:
    query = OutcomeRecord.objects.for_clinic(clinic).order_by("id").values_list(
        "id", "episode_id", "patient_id", "check_in__kind", "instrument_id", "value", EpochDay("recorded_at"),
        EpochDay("episode__start_date"), KeyTextTransform("rule", "verdict"), KeyTextTransform("mcid", "verdict"),
        KeyTextTransform("responder", "verdict"),
    )  # fmt: skip
    for rows in stream_batches(query):
        pk, eid, pid, kind, instrument, value, day, first, rule, mcid, responder = _columns(rows)
        yield [
            p.keys("outcome", pk, repeats=False), p.keys("episode", eid), p.keys("patient", pid), kind, instrument,
            value, p.epoch_days(pid, day),
            [d - f if d is not None and f is not None else None for d, f in zip(day, first, strict=True)],
            _json_text(rule), _json_float(mcid), _json_bool(responder),
        ]  # fmt: skip


def _check_in_batches(clinic: Clinic, p: Pseudonyms) -> Iterator[list[Sequence[Any]]]:
    query = CheckIn.objects.for_clinic(clinic).order_by("id").values_list(
        "id", "session_id", "episode_id", "patient_id", "kind", EpochDay("due_at"), EpochDay("answered_at"),
        Seconds("answered_at", "due_at"), JsonArrayLength("red_flags"),
    )  # fmt: skip
    for rows in stream_batches(query):
        pk, sid, eid, pid, kind, due, answered, seconds, flags = _columns(rows)
        yield [
            p.keys("check_in", pk, repeats=False), p.keys("session", sid), p.keys("episode", eid),
            p.keys("patient", pid), kind, p.epoch_days(pid, due), [a is not None for a in answered],
            [None if m is None else round(m / 1440, 1) for m in _minutes(seconds)], flags,
        ]  # fmt: skip


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
        _episode_batches,
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
        _session_batches,
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
        _insertion_batches,
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
        _side_effect_batches,
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
        _outcome_batches,
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
        _check_in_batches,
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
