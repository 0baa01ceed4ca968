"""The stored "What predicts response" figures (issue 12 speed): computed by the periodic job and
on demand, read by the page. docs/decisions.md, "issue 12 — stored response figures".

- `response_figures_current(actor)` — the figures the page shows: the stored ones, or, when the
  clinic has none yet (or of an older layout), computed now and stored.
- `response_figures_refresh(clinic_id, actor)` — compute and store (the Recompute button, the job).
- `response_figures_refresh_stale(now)` — the periodic job: every stored set older than
  RESPONSE_FIGURES_MAX_AGE_MINUTES is recomputed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.permissions import ANALYTICS, require
from dryneedling.reports import codec
from dryneedling.reports.limits import computation_allowed
from dryneedling.reports.models import ResponseSnapshot
from dryneedling.reports.response.features import episode_features
from dryneedling.reports.response.figures import ResponseFigures, response_figures

FORMAT = 2  # bump when ResponseFigures changes shape or meaning: stored sets of another are recomputed
# 2: the 4-12 week verdict is the last score of the stored window (issue 12)


@dataclass(frozen=True)
class StoredFigures:
    figures: ResponseFigures
    computed_at: datetime
    seconds: float
    max_age_minutes: int


def max_age() -> timedelta:
    return timedelta(minutes=settings.RESPONSE_FIGURES_MAX_AGE_MINUTES)


def _stored(snapshot: ResponseSnapshot) -> StoredFigures:
    return StoredFigures(
        codec.loads(ResponseFigures, snapshot.figures),
        snapshot.computed_at,
        snapshot.seconds,
        settings.RESPONSE_FIGURES_MAX_AGE_MINUTES,
    )


def response_figures_refresh(*, clinic_id: int, actor: User | None) -> StoredFigures:
    """Compute the clinic's figures from its records now and store them (audited: counts only)."""
    as_of, started = timezone.now(), time.perf_counter()  # records written during the computation may be missing
    figures = response_figures(episode_features(clinic_id=clinic_id))
    seconds = round(time.perf_counter() - started, 3)
    with transaction.atomic():
        snapshot, _ = ResponseSnapshot.objects.update_or_create(
            clinic_id=clinic_id,
            defaults={
                "computed_at": as_of,
                "seconds": seconds,
                "episodes": figures.treated,
                "format": FORMAT,
                "figures": codec.dumps(figures),
            },
        )
        audit_record(
            actor=actor,
            action="analytics.response.refresh",
            clinic=Clinic.objects.get(pk=clinic_id),
            object_type="analytics",
            object_id="response",
            detail={"episodes": figures.treated, "judged": figures.judged, "seconds": seconds},
        )
    return _stored(snapshot)


def response_figures_current(*, actor: User) -> StoredFigures:
    """The actor's clinic's figures (PermissionDenied, in words, for roles without ANALYTICS)."""
    membership = require(actor=actor, capability=ANALYTICS)
    snapshot = ResponseSnapshot.objects.filter(clinic_id=membership.clinic_id, format=FORMAT).first()
    if snapshot is not None:
        try:
            return _stored(snapshot)
        except (TypeError, KeyError, ValueError):  # a layout change without a FORMAT bump: recompute
            pass
    computation_allowed(clinic_id=membership.clinic_id)
    return response_figures_refresh(clinic_id=membership.clinic_id, actor=actor)


def response_figures_recompute(*, actor: User) -> StoredFigures:
    """The Recompute button: the actor's clinic's figures from its records now."""
    membership = require(actor=actor, capability=ANALYTICS)
    computation_allowed(clinic_id=membership.clinic_id)
    return response_figures_refresh(clinic_id=membership.clinic_id, actor=actor)


def response_figures_refresh_stale(*, now: datetime | None = None) -> int:
    """The periodic job: recompute every stored set older than the maximum age; how many."""
    cutoff = (now or timezone.now()) - max_age()
    stale = ResponseSnapshot.objects.filter(computed_at__lt=cutoff).values_list("clinic_id", flat=True)
    clinics = list(stale)
    for clinic_id in clinics:
        response_figures_refresh(clinic_id=clinic_id, actor=None)
    return len(clinics)
