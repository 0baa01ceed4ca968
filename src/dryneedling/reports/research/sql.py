"""Small SQL expressions for the research export, so per-row date arithmetic and JSON reading run
in the database instead of Python (issue 12 speed: the export's budget is 100,000 rows/s).

Each has a SQLite and a PostgreSQL form; the export reads their results without the ORM's
converters (``tables.stream_batches``), so each returns plain numbers or text on both.
"""

from __future__ import annotations

from typing import Any

from django.db.models import FloatField, Func, IntegerField

EPOCH_JULIAN = 2440587.5  # julianday('1970-01-01')


class EpochDay(Func):
    """The UTC day of a date or datetime column, as days since 1970-01-01 (Arrow's date32)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = f"CAST(julianday(date(%(expressions)s)) - {EPOCH_JULIAN} AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        if _is_datetime(self):
            template = "((%(expressions)s AT TIME ZONE 'UTC')::date - DATE '1970-01-01')"
        else:
            template = "(%(expressions)s - DATE '1970-01-01')"
        return self.as_sql(compiler, connection, template=template, **extra)


def _is_datetime(func: Func) -> bool:
    return func.source_expressions[0].output_field.get_internal_type() == "DateTimeField"


class Seconds(Func):
    """``Seconds(end, start)``: seconds from start to end (to the millisecond); NULL if either is."""

    arity = 2
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "ROUND((julianday(%(expressions)s)) * 86400.0, 3)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=") - julianday(", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)


class JsonArrayLength(Func):
    """The length of a JSON array column (0 for anything that is not an array)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "COALESCE(JSON_ARRAY_LENGTH(%(expressions)s), 0)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])  # used twice: so are its parameters
        return f"(CASE WHEN jsonb_typeof({sql}) = 'array' THEN jsonb_array_length({sql}) ELSE 0 END)", (
            *params,
            *params,
        )
