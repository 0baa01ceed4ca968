"""Tenancy as part of the data layer: patient data is read through its clinic, or not at all.

Every model that holds patient data derives from `ClinicScoped`. Its `objects` manager builds
querysets that refuse to run (`UnscopedQuery`) until they are scoped with

- `Model.objects.for_actor(actor)` — the acting user's clinic (the membership is resolved once
  per request, see `TenancyMiddleware`), or
- `Model.objects.for_clinic(clinic)` — a clinic (or its id) already established, e.g. the clinic
  of a record the caller reached through `for_actor`, or a clinic a CLI command names,

or reached through a record that was (`patient.episodes.all()`: Django's related managers carry
the parent instance, and the parent came out of a scoped query). Building a queryset is free;
evaluating, counting, updating or deleting an unscoped one raises, so a new view or selector that
forgets the clinic fails in its first test instead of leaking another clinic's rows.

`Model.unscoped` is the deliberate exception (a plain manager): the denial audit that must find
the clinic a refused id belongs to, the patient-link resolution that has only a token, and
cross-clinic jobs. `tests/accounts/test_tenancy.py` keeps the list of modules allowed to use it.

Studied: NetBox's `RestrictedQuerySet.restrict(user, action)`; here the restriction is not
optional, because the default manager refuses to run unrestricted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from dryneedling.accounts.models import Clinic, User

M = TypeVar("M")


class UnscopedQuery(Exception):
    """A query of patient data was run without being scoped to a clinic."""


def _clinic_id(clinic: Clinic | int) -> int:
    value = clinic if isinstance(clinic, int) else clinic.pk
    if not isinstance(value, int):
        raise UnscopedQuery("for_clinic() needs a saved clinic or a clinic id.")
    return value


def clinic_id_of(record: models.Model) -> int:
    """The clinic id of a clinic-scoped record, following its `clinic_path`."""
    *hops, last = type(record).clinic_path.split("__")  # type: ignore[attr-defined]
    target: Any = record
    for hop in hops:
        target = getattr(target, hop)
    value = getattr(target, f"{last}_id")
    if not isinstance(value, int):
        raise UnscopedQuery(f"{type(record).__name__} has no clinic yet.")
    return value


class ClinicScopedQuerySet(models.QuerySet[Any]):
    """A queryset that refuses to run until it is scoped to one clinic."""

    _scoped: bool = False

    def for_clinic(self, clinic: Clinic | int) -> Self:
        """The rows of this clinic only."""
        path: str = self.model.clinic_path
        scoped = self.filter(**{f"{path}_id" if not path.endswith("_id") else path: _clinic_id(clinic)})
        scoped._scoped = True
        return scoped

    def for_record(self, record: models.Model) -> Self:
        """The rows of the clinic `record` belongs to (a record already read through a scope)."""
        return self.for_clinic(clinic_id_of(record))

    def for_actor(self, actor: User) -> Self:
        """The rows of the acting user's clinic (PermissionDenied for a user of no clinic)."""
        from dryneedling.accounts.selectors import membership_for

        return self.for_clinic(membership_for(actor=actor).clinic_id)

    # --- the guard -------------------------------------------------------------------------
    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._scoped = self._scoped
        return clone  # type: ignore[no-any-return]

    def _require_scope(self) -> None:
        # Django's related managers (patient.episodes, prefetch_related) add the parent instance
        # as a hint: the parent was itself read through a scoped query.
        if self._scoped or self._hints.get("instance") is not None:  # type: ignore[attr-defined]
            return
        raise UnscopedQuery(
            f"{self.model._meta.label} holds patient data: scope the query with "
            f".for_actor(actor) or .for_clinic(clinic) (see accounts/tenancy.py)."
        )

    def __repr__(self) -> str:
        if not self._scoped and self._result_cache is None and self._hints.get("instance") is None:  # type: ignore[attr-defined]
            return f"<{type(self).__name__} of {self.model._meta.label}, not scoped to a clinic>"
        return super().__repr__()

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()  # type: ignore[misc]

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._require_scope()
        return super().iterator(chunk_size=chunk_size)

    def count(self) -> int:
        if self._result_cache is None:
            self._require_scope()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._require_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._require_scope()
        if getattr(self.model, "stamps_updated_at", False) and "updated_at" not in kwargs:
            kwargs["updated_at"] = timezone.now()  # patients.models.Touched: every change is stamped
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._require_scope()
        return super().delete()

    def explain(self, *, format: str | None = None, **options: Any) -> str:
        self._require_scope()
        return super().explain(format=format, **options)


class ClinicScopedManager(models.Manager.from_queryset(ClinicScopedQuerySet)):  # type: ignore[misc]
    """`objects` of a clinic-scoped model: only `for_actor` / `for_clinic` querysets run."""


class ClinicScoped(models.Model):
    """Base of every model that holds patient data.

    `clinic_path` is the lookup from the model to its clinic: `clinic` for models with their own
    clinic column, e.g. `session__clinic` for a model that belongs to a session.
    """

    clinic_path: ClassVar[str] = "clinic"

    objects = ClinicScopedManager()
    unscoped = models.Manager()  # noqa: DJ012  # the deliberate exception; see the module docstring

    class Meta:
        abstract = True


# --- the acting membership, once per request ----------------------------------------------------
_CACHE = "_dryneedling_membership"
_UNRESOLVED = object()


def cached_membership(actor: User, load: Callable[[], M]) -> M:
    """The actor's membership, loaded once per request.

    Only the request's own user object carries the cache slot (set by `TenancyMiddleware`), so a
    user object held elsewhere (a test fixture, a CLI command) always reads the current row.
    """
    cached = getattr(actor, _CACHE, None)
    if cached is None:
        return load()
    if cached is _UNRESOLVED:
        cached = load()
        setattr(actor, _CACHE, cached)
    return cached  # type: ignore[no-any-return]


class TenancyMiddleware:
    """Opens the per-request slot for the acting membership (after AuthenticationMiddleware), and
    runs the request in the member's clinic time zone (issue 10, `accounts/zones.py`): the
    membership is read here, once, and the views find it in the slot."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from dryneedling.accounts import zones
        from dryneedling.accounts.selectors import membership_or_none

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            setattr(user, _CACHE, _UNRESOLVED)
            membership = membership_or_none(actor=user)
            if membership is not None:
                zones.activate(membership.clinic)
        try:
            return self.get_response(request)
        finally:
            # also ends the zone a public link's page activated (its clinic's)
            timezone.deactivate()
