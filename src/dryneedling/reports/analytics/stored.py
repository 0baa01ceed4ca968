"""The clinic dashboard's stored figures (issue 12 speed; docs/decisions.md, "issue 12 — stored
dashboard figures").

At 100,000 patients the dashboard's aggregates take seconds, and each chart image and CSV would
repeat them. The figures for a set of filters are computed once, stored (`reports.DashboardSnapshot`)
and read by the page, its images and its downloads while younger than
ANALYTICS_FIGURES_MAX_AGE_MINUTES; the page says when they were computed and offers Recompute now.
The serious side effects are listed live on every view, and the CUSUM alert does not wait for the
page (`services.cusum_signals_check_all` runs in the periodic job).

- `dashboard_current(actor, filters)` — the page: the stored figures if fresh, else computed now.
- `dashboard_recompute(actor, filters)` — the Recompute button.
- `dashboard_figures_refresh_stale(now)` — the periodic job: stale whole-clinic and per-clinician
  sets are recomputed (so the usual views never wait); stale sets of other filters are dropped.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.permissions import ANALYTICS, require
from dryneedling.reports import codec
from dryneedling.reports.analytics.dashboard import Dashboard, Figures, figures_for
from dryneedling.reports.analytics.filters import Filters
from dryneedling.reports.analytics.safety import serious_events
from dryneedling.reports.limits import computation_allowed
from dryneedling.reports.models import DashboardSnapshot

FORMAT = 1  # bump when Figures changes shape: stored sets of the old layout are recomputed


def max_age() -> timedelta:
    return timedelta(minutes=settings.ANALYTICS_FIGURES_MAX_AGE_MINUTES)


def filters_key(filters: Filters) -> str:
    return json.dumps(filters.as_detail(), sort_keys=True, separators=(",", ":"))


def _kept_by_the_job(key: str) -> bool:
    """The whole clinic, or one clinician over their whole record: the views every day starts with."""
    return set(json.loads(key)) <= {"clinician_id"}


def _board(filters: Filters, figures: Figures, computed_at: datetime, seconds: float) -> Dashboard:
    minutes = settings.ANALYTICS_FIGURES_MAX_AGE_MINUTES
    return Dashboard(figures, serious_events(filters), computed_at, seconds, minutes)


def _refresh(filters: Filters, actor: User | None) -> Dashboard:
    """Compute the figures from the clinic's records now and store them (audited: counts only)."""
    as_of, started = timezone.now(), time.perf_counter()  # records written meanwhile may be missing
    figures = figures_for(filters)
    seconds = round(time.perf_counter() - started, 3)
    values = {"computed_at": as_of, "seconds": seconds, "format": FORMAT, "figures": codec.dumps(figures)}
    key = filters_key(filters)
    with transaction.atomic():
        try:
            with transaction.atomic():  # two first views at once: the second updates the first's row
                DashboardSnapshot.objects.update_or_create(clinic=filters.clinic, key=key, defaults=values)
        except IntegrityError:
            DashboardSnapshot.objects.filter(clinic=filters.clinic, key=key).update(**values)
        audit_record(
            actor=actor,
            action="analytics.refresh",
            clinic=filters.clinic,
            object_type="analytics",
            object_id="dashboard",
            detail={"filters": filters.as_detail(), "seconds": seconds},
        )
    return _board(filters, figures, as_of, seconds)


def dashboard_current(*, actor: User, filters: Filters, now: datetime | None = None) -> Dashboard:
    """The figures for the actor's clinic and these filters: stored if younger than the maximum age,
    else computed now (PermissionDenied, in words, for roles without ANALYTICS; TooManyComputations
    past the clinic's rate limit of computations)."""
    membership = require(actor=actor, capability=ANALYTICS)
    filters = replace(filters, clinic=membership.clinic)  # never another clinic's figures
    cutoff = (now or timezone.now()) - max_age()
    snapshot = DashboardSnapshot.objects.filter(
        clinic=filters.clinic, key=filters_key(filters), format=FORMAT, computed_at__gte=cutoff
    ).first()
    if snapshot is not None:
        try:
            figures = codec.loads(Figures, snapshot.figures)
        except (TypeError, KeyError, ValueError):  # a layout change without a FORMAT bump: recompute
            snapshot = None
        else:
            return _board(filters, figures, snapshot.computed_at, snapshot.seconds)
    computation_allowed(clinic_id=filters.clinic.pk)
    return _refresh(filters, actor)


def dashboard_recompute(*, actor: User, filters: Filters) -> Dashboard:
    """The Recompute button: these filters' figures from the clinic's records now."""
    membership = require(actor=actor, capability=ANALYTICS)
    computation_allowed(clinic_id=membership.clinic_id)
    return _refresh(replace(filters, clinic=membership.clinic), actor)


def _filters_of(clinic: Clinic, key: str) -> Filters:
    clinician = json.loads(key).get("clinician_id")
    return Filters(clinic=clinic, clinician_id=int(clinician) if clinician else None)


def dashboard_figures_refresh_stale(*, now: datetime | None = None) -> int:
    """The periodic job: each stale whole-clinic or per-clinician set is recomputed, every other
    stale set deleted (its filters are computed again when next viewed); the number recomputed."""
    cutoff = (now or timezone.now()) - max_age()
    stale = list(DashboardSnapshot.objects.filter(computed_at__lt=cutoff).select_related("clinic").order_by("pk"))
    recomputed = 0
    for snapshot in stale:
        if _kept_by_the_job(snapshot.key):
            _refresh(_filters_of(snapshot.clinic, snapshot.key), None)
            recomputed += 1
        else:
            snapshot.delete()
    return recomputed
