"""Raw bulk writes for the seeder (issue 14): rows as tuples, one statement per table and batch.

The ORM's bulk_create spends most of its time in the per-field INSERT compiler. Here a `Table`
reads the model's `_meta` once (table, columns, defaults, how each column is stored on this
engine) and writes a batch of tuples with `executemany` on SQLite and `COPY` on PostgreSQL.

Rows carry *local* ids: a row's own id and its references to rows of the same batch are indexes
into that batch's lists (0, 1, 2, ...). `write_batch` reserves real ids inside the batch's
transaction and maps the local ids on the way out:

- SQLite: under the write lock (transactions are IMMEDIATE), the next ids are those above both
  `max(id)` and the AUTOINCREMENT counter in `sqlite_sequence`; inserting explicit ids moves the
  counter, so a later ORM insert continues after them.
- PostgreSQL: `nextval` of the table's sequence, once per row in one statement; the sequence is
  then past every id used, and a concurrent writer never gets one of ours.

Like bulk_create, this sends no model signals and calls no save(): the loaders set every column
that save() or a signal would (updated_at, main_technique, the outcome's derived columns).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection as default_connection
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

Row = tuple[Any, ...]


class JsonText(str):
    """A JSON column's value already serialised (a constant of the loader, dumped once)."""

    __slots__ = ()


def json_text(value: Any) -> JsonText:
    return JsonText(json.dumps(value))


_DATETIME_TEXTS: dict[datetime, str] = {}
_DATETIME_TEXTS_SIZE = 1 << 16  # bounded: constant memory


def _sqlite_datetime(value: datetime | None) -> str | None:
    """What Django stores for a DateTimeField on SQLite: naive UTC, `str()` of it. Remembered:
    a batch repeats its times (a session's start is each insertion's and side effect's time, a
    course's screening time its consent's and findings'), and `str()` of a datetime costs ~25
    lookups of one."""
    if value is None:
        return None
    try:
        return _DATETIME_TEXTS[value]
    except KeyError:
        pass
    if value.tzinfo is UTC:
        text = str(value)[:-6]  # "...+00:00" off: the same text as str() of the naive value
    elif value.tzinfo is not None:
        text = str(value.astimezone(UTC).replace(tzinfo=None))
    else:
        text = str(value)
    if len(_DATETIME_TEXTS) >= _DATETIME_TEXTS_SIZE:
        _DATETIME_TEXTS.clear()
    _DATETIME_TEXTS[value] = text
    return text


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else str(value)


def _converter(field: models.Field, vendor: str) -> Callable[[Any], Any] | None:
    """How a Python value of `field` is stored on `vendor`, or None when the driver takes it as is."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: value if value is None or type(value) is JsonText else json.dumps(value, cls=encoder)
    if vendor != "sqlite":
        return None  # psycopg's COPY dumps datetimes, dates and decimals itself
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime
    if isinstance(field, models.DateField):
        return _sqlite_date
    if isinstance(field, models.DecimalField):
        return lambda value: None if value is None else str(field.to_python(value))
    return None


class Table:
    """One model's raw INSERT: the columns the loader gives (`fields`, attnames, in row order),
    the others filled with the field's default. `refs` maps an attname holding a local id to the
    table key whose reserved ids it refers to ("id" → the table's own key: its ids are reserved)."""

    def __init__(self, key: str, model: type[models.Model], fields: Sequence[str], refs: dict[str, str] | None = None):
        self.key = key
        self.model = model
        self.fields = tuple(fields)
        self.refs = dict(refs or {})
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = [name for name in self.fields if name not in by_attname]
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {unknown}")
        # Every other concrete column but an automatic primary key takes its default.
        self.rest = [
            f
            for f in meta.concrete_fields
            if f.attname not in self.fields and not isinstance(f, models.fields.AutoFieldMixin)
        ]
        self.columns = [by_attname[name].column for name in self.fields] + [f.column for f in self.rest]
        self.db_table = meta.db_table
        self._fields = [by_attname[name] for name in self.fields]

    @property
    def reserves(self) -> bool:
        return self.refs.get("id") == self.key

    def _converter(self, vendor: str) -> Callable[[Row], Row] | None:
        """A function converting a loader's row's values as `vendor` stores them (ids left local),
        or None when no column needs it; generated once so a row costs one call."""
        names: dict[str, Any] = {}
        parts = []
        for index, field in enumerate(self._fields):
            convert = None if field.attname in self.refs else _converter(field, vendor)
            if convert is None:
                parts.append(f"r[{index}]")
            else:
                names[f"c{index}"] = convert
                parts.append(f"c{index}(r[{index}])")
        if not names:
            return None
        return eval(f"lambda r: ({', '.join(parts)},)", names)  # noqa: S307 — built from the model's own fields

    def _mapper(self, ids: dict[str, Sequence[int]], vendor: str, converted: bool) -> Callable[[Row], Row]:
        """A function turning a loader's row into the stored row (ids mapped, values converted
        unless `converted` already, defaults appended), generated once per table and batch so a
        row costs one call."""
        names: dict[str, Any] = {}
        parts = []
        for index, field in enumerate(self._fields):
            value = f"r[{index}]"
            target = self.refs.get(field.attname)
            if target is not None:
                names[f"ids{index}"] = ids[target]
                value = f"(None if {value} is None else ids{index}[{value}])"
            convert = None if converted or target is not None else _converter(field, vendor)
            if convert is not None:
                names[f"c{index}"] = convert
                value = f"c{index}({value})"
            parts.append(value)
        now = timezone.now()
        defaults = []
        for field in self.rest:
            default = now if field.has_default() and field.default is timezone.now else field.get_default()
            convert = _converter(field, vendor)
            defaults.append(convert(default) if convert is not None else default)
        names["defaults"] = tuple(defaults)
        source = f"lambda r: ({', '.join(parts)},) + defaults"
        return eval(source, names)  # noqa: S307 — built above from the model's own field names, no outside input

    def sql(self, vendor: str) -> str:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        if vendor == "postgresql":
            return f'COPY "{self.db_table}" ({columns}) FROM STDIN'
        placeholders = ", ".join(["%s"] * len(self.columns))
        return f'INSERT INTO "{self.db_table}" ({columns}) VALUES ({placeholders})'  # noqa: S608 — the model's own names


def _reserve(connection: BaseDatabaseWrapper, table: Table, count: int) -> Sequence[int]:
    """`count` fresh ids for `table`, in the current transaction (see the module's docstring)."""
    if count == 0:
        return ()
    name = table.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [name, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f'SELECT max(coalesce((SELECT max("id") FROM "{name}"), 0),'  # noqa: S608 — the model's own table name
            " coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [name],
        )
        last = cursor.fetchone()[0]
        return range(last + 1, last + count + 1)


def convert_batch(tables: Iterable[Table], rows: dict[str, list[Row]], vendor: str) -> None:
    """Convert a batch's values as `vendor` stores them, in place, before `write_batch(converted=True)`:
    without the database, so the process making the rows does it (synthetic.pipeline); texts are
    also cheaper to send than datetimes."""
    for table in tables:
        convert = table._converter(vendor)
        if convert is not None:
            rows[table.key] = list(map(convert, rows[table.key]))


def write_batch(
    tables: Iterable[Table],
    rows: dict[str, list[Row]],
    connection: BaseDatabaseWrapper = default_connection,
    *,
    converted: bool = False,
) -> None:
    """Write one batch, parents first (the order of `tables`); call inside a transaction.
    `converted`: the values are already as stored (convert_batch)."""
    tables = list(tables)
    ids = {t.key: _reserve(connection, t, len(rows[t.key])) for t in tables if t.reserves}
    vendor = connection.vendor
    for table in tables:
        batch = rows[table.key]
        if not batch:
            continue
        mapped = list(map(table._mapper(ids, vendor, converted), batch))  # a list: Django's debug cursor counts it
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                with cursor.cursor.copy(table.sql(vendor)) as copy:
                    for row in mapped:
                        copy.write_row(row)
            else:
                cursor.executemany(table.sql(vendor), mapped)
