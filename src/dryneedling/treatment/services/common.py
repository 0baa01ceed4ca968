"""Helpers shared by the treatment services: optimistic locking and role checks."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINICAL, require

CLINICAL_ROLES = CLINICAL.roles
CONFLICT_MESSAGE = (
    "Someone else changed this record after you opened it. Nothing of yours was saved over theirs: "
    "reload the page to see their change, then enter yours again."
)


class EditConflict(ValidationError):
    """Raised when the version a user edited is no longer the current one."""


CLINICIAN_ONLY = CLINICAL.refusal


def require_clinician(actor: User, reason: str = "") -> None:
    """PermissionDenied (in words, on the 403 page) unless the actor holds the clinician role:
    every read and write of the clinical record goes through here."""
    require(actor=actor, capability=CLINICAL, reason=reason)


def _compare_and_set(obj: models.Model, expected: int, changes: dict[str, object]) -> None:
    model = type(obj)
    scoped = model.objects.for_record(obj)  # type: ignore[attr-defined]
    updated = scoped.filter(pk=obj.pk, version=expected).update(version=F("version") + 1, **changes)
    if updated != 1:
        raise EditConflict(CONFLICT_MESSAGE)


def bump_version(obj: models.Model, *, expected: int, **changes: object) -> None:
    """Compare-and-set on `version`: update only if nobody else has saved since `expected`."""
    _compare_and_set(obj, expected, changes)
    obj.refresh_from_db()


def bump_version_held(obj: models.Model, *, expected: int, **changes: object) -> None:
    """`bump_version` for a caller holding the row's lock: the new version and `changes` are set
    on `obj` instead of reading the row again (its related objects stay loaded; issue 14)."""
    _compare_and_set(obj, expected, changes)
    for name, value in {"version": expected + 1, **changes}.items():
        setattr(obj, name, value)


# ---- limits a clinician meets while recording, each stating its number and source (issue 10) ----

REASON_MIN_CHARS = 5
REASON_SOURCE = "the app's rule for written reasons, so that a token such as “ok” is not taken for one"


PRECAUTION_ACK_MISSING = (
    f"Acknowledge this precaution: say what you will do about it. At least {REASON_MIN_CHARS} characters "
    f"(source: {REASON_SOURCE})."
)


def reason_too_short(typed: str) -> str:
    return (
        f"A reason needs at least {REASON_MIN_CHARS} characters; this one has {len(typed)} (source: {REASON_SOURCE})."
    )


@dataclass(frozen=True)
class SecondsLimit:
    low: int
    high: int
    source: str

    def message(self, label: str) -> str:
        return f"{label} lies between {self.low} and {self.high} seconds ({self.source})."


NEEDLE_SECONDS = SecondsLimit(1, 7200, "the app's limit, 2 hours")
PLANNED_SECONDS = SecondsLimit(1, 3600, "the app's limit, 1 hour")
NEEDLE_TIME_MISSING = (
    f"Time the needle with the timer, or type the seconds it was in: {NEEDLE_SECONDS.message('needle time')}"
)
