"""Helpers shared by the treatment services: optimistic locking and role checks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

from dryneedling.accounts.models import Role, User
from dryneedling.accounts.selectors import require_role

CLINICAL_ROLES = {Role.CLINICIAN}
CONFLICT_MESSAGE = (
    "Someone else changed this record after you opened it. Nothing of yours was saved over theirs: "
    "reload the page to see their change, then enter yours again."
)


class EditConflict(ValidationError):
    """Raised when the version a user edited is no longer the current one."""


CLINICIAN_ONLY = (
    "Only a clinician can do this: needling, signing notes and follow-up decisions are clinical acts. "
    "Front desk and clinic admins can read the record."
)


def require_clinician(actor: User) -> None:
    require_role(actor=actor, roles=set(CLINICAL_ROLES), reason=CLINICIAN_ONLY)


def bump_version(obj: models.Model, *, expected: int, **changes: object) -> None:
    """Compare-and-set on `version`: update only if nobody else has saved since `expected`."""
    model = type(obj)
    scoped = model.objects.for_record(obj)  # type: ignore[attr-defined]
    updated = scoped.filter(pk=obj.pk, version=expected).update(version=F("version") + 1, **changes)
    if updated != 1:
        raise EditConflict(CONFLICT_MESSAGE)
    obj.refresh_from_db()
