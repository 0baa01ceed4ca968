"""What every resource builder shares: the export's context (clinic, filters, identifier systems),
keyset batches of `.values_list()` rows, and the per-batch maps of imported identifiers.

A builder is a `Spec`: the model, the columns it reads (as a tuple, one row a tuple), and a function
turning one batch of rows into plain dicts. No model instances, no pydantic: the hot path is tuple
indexing and dict literals (docs/fhir-mapping.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connection, models
from django.db.models.functions import Cast

from dryneedling.accounts.models import Clinic
from dryneedling.interop.identifiers import own_system
from dryneedling.interop.models import ExternalId

BATCH = 2000
"""Rows per keyset batch: memory is bounded by one batch of rows and the dicts built from it."""

Row = tuple[Any, ...]
Resource = dict[str, Any]


@dataclass
class Ctx:
    """One export: the clinic and its filters. Caches only small per-clinic lookups."""

    clinic: Clinic
    since: datetime | None = None
    patient_ids: frozenset[int] | None = None
    cache: dict[str, Any] = field(default_factory=dict)
    actors: set[int] = field(default_factory=set)
    """The users the resources streamed so far name (Practitioner references)."""
    streamed: set[tuple[str, str]] = field(default_factory=set)
    """The (type, id prefix) of each Spec streamed to its end with this context."""

    @property
    def org_ref(self) -> dict[str, str]:
        return {"reference": f"Organization/{self.clinic.pk}"}

    def system(self, kind: str) -> str:
        key = f"system:{kind}"
        if key not in self.cache:
            self.cache[key] = own_system(self.clinic.slug, kind)
        return str(self.cache[key])

    def identifiers(self, kind: str, pks: Iterable[int]) -> dict[int, list[dict[str, str]]]:
        """The imported identifiers (ExternalId rows of `kind`) of these records, by record pk.
        One range query per batch (no IN list to bind), none when the clinic imported no record
        of that kind."""
        key = f"imported:{kind}"
        if key not in self.cache:
            self.cache[key] = ExternalId.objects.for_clinic(self.clinic).filter(kind=kind).exists()
        wanted = set(pks)
        found: dict[int, list[dict[str, str]]] = defaultdict(list)
        if not self.cache[key] or not wanted:
            return found
        rows = (
            ExternalId.objects.for_clinic(self.clinic)
            .filter(kind=kind, object_id__gte=min(wanted), object_id__lte=max(wanted))
            .order_by("id")
            .values_list("object_id", "system", "value")
        )
        for object_id, system, value in rows:
            if object_id in wanted:
                found[object_id].append({"system": system, "value": value})
        return found

    def identifier_of(self, kind: str, imported: dict[int, list[dict[str, str]]], pk: int) -> list[dict[str, str]]:
        """The identifier rule: the record's imported identifiers, else `own(slug, kind, pk)`."""
        return imported.get(pk) or [{"system": self.system(kind), "value": str(pk)}]


NAMING_ACTORS: set[tuple[str, str]] = set()
"""The (type, prefix) of every Spec whose resources name users: once all of them are streamed with
one context, its `actors` are every user a Practitioner resource is needed for."""


@dataclass(frozen=True)
class Spec:
    """How one resource type is read and built.

    `stamp` is the column(s) `since` compares (a row changed after `since` when any of them is
    later; None: the type is not filtered by `since`); `patient` the column naming the patient
    (None: not in a patient's compartment); `scope` narrows the clinic's rows (e.g. only findings
    with a pressure pain threshold); `build` turns a batch. `prefix` starts the resource id when
    several tables give one resource type (Observation: outcomes "12", thresholds "ppt-12").
    """

    resource_type: str
    model: type[models.Model]
    columns: tuple[str, ...]
    build: Callable[[Ctx, Sequence[Row]], Iterable[Resource]]
    stamp: str | tuple[str, ...] | None = None
    patient: str | None = "patient_id"
    scope: Callable[[Ctx, Any], Any] | None = None
    rows: Callable[[Ctx], Any] | None = None
    """The rows of a model that is not clinic-scoped (users): replaces the clinic filter."""
    prefix: str = ""
    names_actors: bool = False
    """Whether the resources name users (`ctx.actors` collects them while streaming)."""
    batch: int = BATCH
    """Rows per batch (fewer for tables of large JSON documents)."""

    def __post_init__(self) -> None:
        if self.names_actors:
            NAMING_ACTORS.add((self.resource_type, self.prefix))

    @property
    def selected(self) -> list[Any]:
        return selected(self.model, self.columns)

    def queryset(self, ctx: Ctx) -> Any:
        manager: Any = self.model._default_manager
        if self.rows is not None:
            qs = self.rows(ctx)
        elif hasattr(manager, "for_clinic"):
            qs = manager.for_clinic(ctx.clinic)
        else:
            qs = manager.filter(clinic=ctx.clinic)
        if self.scope is not None:
            qs = self.scope(ctx, qs)
        if ctx.since is not None and self.stamp is not None:
            stamps = (self.stamp,) if isinstance(self.stamp, str) else self.stamp
            changed = models.Q()
            for stamp in stamps:
                changed |= models.Q(**{f"{stamp}__gt": ctx.since})
            qs = qs.filter(changed)
        if ctx.patient_ids is not None and self.patient is not None:
            qs = qs.filter(**{f"{self.patient}__in": sorted(ctx.patient_ids)})
        return qs

    def batches(self, ctx: Ctx) -> Iterator[list[Row]]:
        """The rows in pk order, `batch` at a time (keyset: constant memory, no OFFSET)."""
        batch = self.batch
        qs = self.queryset(ctx)
        last = 0
        while True:
            rows = raw(qs.filter(pk__gt=last).order_by("pk").values_list("pk", *self.selected)[:batch])
            if not rows:
                return
            yield rows
            last = rows[-1][0]
            if len(rows) < batch:
                return

    def stream(self, ctx: Ctx) -> Iterator[Resource]:
        for rows in self.batches(ctx):
            yield from self.build(ctx, rows)
        ctx.streamed.add((self.resource_type, self.prefix))

    def one(self, ctx: Ctx, pk: int) -> Resource | None:
        """The resource of row `pk` of this clinic (None: no such row here)."""
        rows = raw(self.queryset(ctx).filter(pk=pk).values_list("pk", *self.selected))
        return next(iter(self.build(ctx, rows)), None)


@dataclass(frozen=True)
class ChildSpec(Spec):
    """A table scoped through its parent (EpisodeCondition through Episode, Insertion through
    Session): batched by ranges of the parent's pks, so each query reads the child's foreign-key
    index over a range instead of joining every parent row of the clinic and sorting (keyset on the
    child's own pk made SQLite scan all the clinic's parents for every batch). Rows come in
    (parent, pk) order: a parent's children arrive together."""

    parent: type[models.Model] | None = None
    via: str = ""
    """The foreign key to the parent ("episode")."""
    parent_batch: int = BATCH // 2

    def parents(self, ctx: Ctx) -> Any:
        """The parents whose children are exported (the child's filters, read on the parent)."""
        assert self.parent is not None
        qs = self.parent._default_manager.for_clinic(ctx.clinic)  # type: ignore[attr-defined]
        prefix = f"{self.via}__"
        if ctx.since is not None and self.stamp is not None:
            stamps = (self.stamp,) if isinstance(self.stamp, str) else self.stamp
            if all(stamp.startswith(prefix) for stamp in stamps):
                changed = models.Q()
                for stamp in stamps:
                    changed |= models.Q(**{f"{stamp.removeprefix(prefix)}__gt": ctx.since})
                qs = qs.filter(changed)
        if ctx.patient_ids is not None and self.patient is not None and self.patient.startswith(prefix):
            qs = qs.filter(**{f"{self.patient.removeprefix(prefix)}__in": sorted(ctx.patient_ids)})
        return qs

    def children(self, ctx: Ctx, first: int, last: int) -> list[Row]:
        query = (
            self.queryset(ctx)
            .filter(**{f"{self.via}_id__gte": first, f"{self.via}_id__lte": last})
            .order_by(f"{self.via}_id", "pk")
            .values_list("pk", *self.selected)
        )
        return raw(query)

    def batches(self, ctx: Ctx) -> Iterator[list[Row]]:
        parents = self.parents(ctx).order_by("pk")
        last = 0
        while True:
            pks = [pk for (pk,) in raw(parents.filter(pk__gt=last).values_list("pk")[: self.parent_batch])]
            if not pks:
                return
            last = pks[-1]
            rows = self.children(ctx, pks[0], last)
            if rows:
                yield rows
            if len(pks) < self.parent_batch:
                return


def selected(model: type[models.Model], columns: Sequence[str]) -> list[Any]:
    """What `values_list` selects for these columns. On SQLite a date or time column is read as its
    stored text (CAST: a column without a declared type skips the driver's date parsing, which
    Django registers for every "datetime" column); `instant` and `day` turn the text into FHIR's
    forms. PostgreSQL's driver hands out datetimes, formatted by `isoformat`."""
    if connection.vendor != "sqlite":
        return list(columns)
    out: list[Any] = []
    for column in columns:
        target: Any = model
        field: Any = None
        for hop in column.split("__"):
            try:
                field = target._meta.get_field(hop)
            except FieldDoesNotExist:  # a foreign key's "<name>_id"
                field = None
                break
            target = field.related_model or target
        is_time = isinstance(field, models.DateField | models.TimeField)
        out.append(Cast(column, output_field=models.TextField()) if is_time else column)
    return out


def raw(query: Any) -> list[Row]:
    """The rows of a `values_list` query as the database driver returns them: the ORM's SQL (so
    the clinic scope is the manager's) without its per-value converters, which cost more than
    building the resources (as in reports.research.tables.stream_batches). Values therefore come
    in the driver's forms: `instant`, `day`, `json` and `bool()` read both SQLite's and
    PostgreSQL's."""
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (`pk__in=[]`): Django builds no SQL
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def instant(value: datetime | str | None) -> str | None:
    """FHIR instant/dateTime: ISO 8601 with its offset. SQLite hands out the stored UTC text
    ("2024-07-08 09:15:00[.ffffff]"), PostgreSQL an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return f"{value[:10]}T{value[11:]}+00:00" if len(value) > 10 else value
    return value.isoformat()


def utc_text(moment: datetime) -> str:
    """A moment as `instant` writes a stored UTC time (ISO strings of UTC times sort as times)."""
    return moment.astimezone(UTC).isoformat()


def day(value: date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def json(value: Any) -> Any:
    """A JSON column's value (both drivers hand Django's JSON columns out as text)."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def meta(updated: datetime | str | None) -> dict[str, str]:
    return {"lastUpdated": value} if (value := instant(updated)) else {}


def ref(kind: str, pk: int | str | None) -> dict[str, str]:
    return {"reference": f"{kind}/{pk}"}


def own_identifier(ctx: Ctx, kind: str, pk: int) -> list[dict[str, str]]:
    """`own(slug, kind, pk)` for the kinds no import brings back (insertion, finding, ...)."""
    return [{"system": ctx.system(kind), "value": str(pk)}]
