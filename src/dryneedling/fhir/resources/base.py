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
from datetime import date, datetime
from typing import Any

from django.db import models

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

    @property
    def org_ref(self) -> dict[str, str]:
        return {"reference": f"Organization/{self.clinic.pk}"}

    def system(self, kind: str) -> str:
        key = f"system:{kind}"
        if key not in self.cache:
            self.cache[key] = own_system(self.clinic.slug, kind)
        return str(self.cache[key])

    def identifiers(self, kind: str, pks: Iterable[int]) -> dict[int, list[dict[str, str]]]:
        """The imported identifiers (ExternalId rows of `kind`) of these records, by record pk."""
        found: dict[int, list[dict[str, str]]] = defaultdict(list)
        pks = list(pks)
        for start in range(0, len(pks), 900):  # SQLite's bound parameters
            rows = (
                ExternalId.objects.for_clinic(self.clinic)
                .filter(kind=kind, object_id__in=pks[start : start + 900])
                .order_by("id")
                .values_list("object_id", "system", "value")
            )
            for object_id, system, value in rows:
                found[object_id].append({"system": system, "value": value})
        return found

    def identifier_of(self, kind: str, imported: dict[int, list[dict[str, str]]], pk: int) -> list[dict[str, str]]:
        """The identifier rule: the record's imported identifiers, else `own(slug, kind, pk)`."""
        return imported.get(pk) or [{"system": self.system(kind), "value": str(pk)}]


@dataclass(frozen=True)
class Spec:
    """How one resource type is read and built.

    `stamp` is the column(s) `since` compares (a row changed after `since` when any of them is
    later; None: the type is not filtered by `since`); `patient` the column naming the patient
    (None: not in a patient's compartment); `scope` narrows the clinic's rows (e.g. only findings
    with a pressure pain threshold); `build` turns a batch. `prefix` starts the resource id when
    several tables give one resource type (Observation: outcomes "12", thresholds "ppt-12").
    """

    type: str
    model: type[models.Model]
    columns: tuple[str, ...]
    build: Callable[[Ctx, Sequence[Row]], Iterable[Resource]]
    stamp: str | tuple[str, ...] | None = None
    patient: str | None = "patient_id"
    scope: Callable[[Ctx, Any], Any] | None = None
    rows: Callable[[Ctx], Any] | None = None
    """The rows of a model that is not clinic-scoped (users): replaces the clinic filter."""
    prefix: str = ""

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

    def batches(self, ctx: Ctx, batch: int = BATCH) -> Iterator[list[Row]]:
        """The rows in pk order, `batch` at a time (keyset: constant memory, no OFFSET)."""
        qs = self.queryset(ctx)
        last = 0
        while True:
            rows = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", *self.columns)[:batch])
            if not rows:
                return
            yield rows
            last = rows[-1][0]
            if len(rows) < batch:
                return

    def stream(self, ctx: Ctx) -> Iterator[Resource]:
        for rows in self.batches(ctx):
            yield from self.build(ctx, rows)

    def one(self, ctx: Ctx, pk: int) -> Resource | None:
        """The resource of row `pk` of this clinic (None: no such row here)."""
        rows = list(self.queryset(ctx).filter(pk=pk).values_list("pk", *self.columns))
        return next(iter(self.build(ctx, rows)), None)


def instant(value: datetime | None) -> str | None:
    """FHIR instant/dateTime: ISO 8601 with its offset (Django hands out aware UTC datetimes)."""
    return value.isoformat() if value is not None else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def meta(updated: datetime | None) -> dict[str, str]:
    return {"lastUpdated": value} if (value := instant(updated)) else {}


def ref(kind: str, pk: int | str | None) -> dict[str, str]:
    return {"reference": f"{kind}/{pk}"}


def own_identifier(ctx: Ctx, kind: str, pk: int) -> list[dict[str, str]]:
    """`own(slug, kind, pk)` for the kinds no import brings back (insertion, finding, ...)."""
    return [{"system": ctx.system(kind), "value": str(pk)}]
