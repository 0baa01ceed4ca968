"""The clinic dashboard's stored figures (issue 12 speed; docs/decisions.md, "issue 12 — stored
dashboard figures").

At 100,000 patients the dashboard's aggregates take seconds, and each chart image and CSV would
repeat them. The figures for a set of filters are computed once, stored (`reports.DashboardSnapshot`)
and read by the page, its images and its downloads while younger than
ANALYTICS_FIGURES_MAX_AGE_MINUTES; the page says when they were computed and offers Recompute now.
The serious side effects are listed live on every view, and the CUSUM alert does not wait for the
page (`services.cusum_signals_check_all` runs in the periodic job).

- `dashboard_current(actor, filters)` — the page: the stored figures if fresh, else computed now
  (past the clinic's limit of computations, the older ones, marked); a chart's image or CSV: the
  stored figures whatever their age, the same numbers as the page.
- `dashboard_recompute(actor, filters)` — the Recompute button.
- `dashboard_figures_refresh_stale(now)` — the periodic job: whole-clinic and per-clinician sets
  viewed lately are recomputed before they go stale (so the usual views never wait); other sets
  are dropped once stale.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic, Membership, User
from dryneedling.accounts.permissions import ANALYTICS, require
from dryneedling.accounts.ratelimit import RateLimited
from dryneedling.reports import codec
from dryneedling.reports.analytics.dashboard import Dashboard, Figures, figures_for
from dryneedling.reports.analytics.filters import Filters
from dryneedling.reports.analytics.safety import serious_events
from dryneedling.reports.limits import computation_allowed
from dryneedling.reports.models import DashboardSnapshot

FORMAT = 2  # bump when Figures changes shape: stored sets of the old layout are recomputed (2: CusumLine, issue 14)
REFRESH_AT = 0.8  # the job recomputes a kept set at this share of the maximum age
KEPT_UNVIEWED = timedelta(days=1)  # sets nobody opened for this long are dropped by the job
VIEWED_EVERY = timedelta(minutes=5)
CLAIM = timedelta(minutes=10)  # how long a job run's claim on a set lasts (a crashed run's lapses)


def max_age() -> timedelta:
    return timedelta(minutes=settings.ANALYTICS_FIGURES_MAX_AGE_MINUTES)


def filters_key(filters: Filters) -> str:
    return json.dumps(filters.as_detail(), sort_keys=True, separators=(",", ":"))


def _kept_by_the_job(key: str) -> bool:
    """The whole clinic, or one clinician over their whole record: the views every day starts with."""
    return set(json.loads(key)) <= {"clinician_id"}


def _board(filters: Filters, snapshot: DashboardSnapshot, figures: Figures, *, page: bool, **flags: bool) -> Dashboard:
    """The page lists the serious side effects live; an image or a download needs only the figures."""
    serious = serious_events(filters) if page else []
    minutes = settings.ANALYTICS_FIGURES_MAX_AGE_MINUTES
    return Dashboard(figures, serious, snapshot.computed_at, snapshot.seconds, minutes, **flags)


def _refresh(filters: Filters, actor: User | None, *, page: bool = True) -> Dashboard:
    """Compute the figures from the clinic's records now and store them (audited: counts only)."""
    as_of, started = timezone.now(), time.perf_counter()  # records written meanwhile may be missing
    figures = figures_for(filters)
    seconds = round(time.perf_counter() - started, 3)
    values = {"computed_at": as_of, "seconds": seconds, "format": FORMAT, "figures": codec.dumps(figures),
              "claimed_until": None}  # fmt: skip
    if actor is not None:
        values["viewed_at"] = as_of
    key = filters_key(filters)
    with transaction.atomic():
        try:
            with transaction.atomic():  # two first views at once: the second updates the first's row
                snapshot, _ = DashboardSnapshot.objects.update_or_create(
                    clinic=filters.clinic, key=key, defaults=values
                )
        except IntegrityError:
            DashboardSnapshot.objects.filter(clinic=filters.clinic, key=key).update(**values)
            snapshot = DashboardSnapshot.objects.get(clinic=filters.clinic, key=key)
        audit_record(
            actor=actor,
            action="analytics.refresh",
            clinic=filters.clinic,
            object_type="analytics",
            object_id="dashboard",
            detail={"filters": filters.as_detail(), "seconds": seconds},
        )
    return _board(filters, snapshot, figures, page=page)


def _read(snapshot: DashboardSnapshot | None) -> Figures | None:
    if snapshot is None:
        return None
    try:
        return codec.loads(Figures, snapshot.figures)
    except (TypeError, KeyError, ValueError):  # a layout change without a FORMAT bump: recompute
        return None


def _viewed(snapshot: DashboardSnapshot, now: datetime) -> None:
    if snapshot.viewed_at < now - VIEWED_EVERY:  # one small write every few minutes at most
        DashboardSnapshot.objects.filter(pk=snapshot.pk).update(viewed_at=now)


def dashboard_current(*, actor: User, filters: Filters, now: datetime | None = None, page: bool = True) -> Dashboard:
    """The figures for the actor's clinic and these filters (PermissionDenied, in words, for roles
    without ANALYTICS).

    - The page (``page=True``): the stored figures while younger than the maximum age, else
      computed now. Past the clinic's limit of computations the older figures are shown, marked
      (`Dashboard.limited`); only with nothing stored is the view refused (RateLimited).
    - A chart's image or CSV (``page=False``): the stored figures whatever their age, so they are
      the numbers the page beside them shows; computed only when nothing is stored."""
    membership = require(actor=actor, capability=ANALYTICS)
    filters = replace(filters, clinic=membership.clinic)  # never another clinic's figures
    now = now or timezone.now()
    snapshot = DashboardSnapshot.objects.filter(clinic=filters.clinic, key=filters_key(filters), format=FORMAT).first()
    figures = _read(snapshot)
    if snapshot is not None and figures is not None:
        if not page or snapshot.computed_at >= now - max_age():
            _viewed(snapshot, now)
            return _board(filters, snapshot, figures, page=page)
        try:
            computation_allowed(clinic_id=filters.clinic.pk)
        except RateLimited:
            _viewed(snapshot, now)
            return _board(filters, snapshot, figures, page=page, limited=True)
        return _refresh(filters, actor, page=page)
    computation_allowed(clinic_id=filters.clinic.pk)
    return _refresh(filters, actor, page=page)


def dashboard_recompute(*, actor: User, filters: Filters) -> Dashboard:
    """The Recompute button: these filters' figures from the clinic's records now."""
    membership = require(actor=actor, capability=ANALYTICS)
    computation_allowed(clinic_id=membership.clinic_id)
    return _refresh(replace(filters, clinic=membership.clinic), actor)


def _filters_of(clinic: Clinic, key: str) -> Filters:
    clinician = json.loads(key).get("clinician_id")
    return Filters(clinic=clinic, clinician_id=int(clinician) if clinician else None)


def _worth_keeping(snapshot: DashboardSnapshot, now: datetime) -> bool:
    """A whole-clinic or per-clinician set viewed lately, of a clinician still on the staff."""
    if not _kept_by_the_job(snapshot.key) or snapshot.viewed_at < now - KEPT_UNVIEWED:
        return False
    clinician = _filters_of(snapshot.clinic, snapshot.key).clinician_id
    if clinician is None:
        return True
    return Membership.objects.filter(clinic_id=snapshot.clinic_id, user_id=clinician, is_clinician=True).exists()


def dashboard_figures_refresh_stale(*, now: datetime | None = None) -> int:
    """The periodic job; the number of sets recomputed.

    Whole-clinic and per-clinician sets viewed in the last day are recomputed once they reach
    REFRESH_AT of the maximum age, before a view would find them stale; a run claims each set first,
    so overlapping runs do not repeat one. Other sets are deleted once stale (computed again when
    next viewed), and so are those nobody viewed for a day."""
    now = now or timezone.now()
    due, stale = now - max_age() * REFRESH_AT, now - max_age()
    candidates = DashboardSnapshot.objects.filter(computed_at__lt=due).defer("figures").select_related("clinic")
    recomputed = 0
    for snapshot in candidates.order_by("pk"):
        if not _worth_keeping(snapshot, now):
            DashboardSnapshot.objects.filter(pk=snapshot.pk, computed_at__lt=stale).delete()  # unless just recomputed
            continue
        claimed = (
            DashboardSnapshot.objects.filter(pk=snapshot.pk, computed_at=snapshot.computed_at)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .update(claimed_until=now + CLAIM)
        )
        if claimed:
            _refresh(_filters_of(snapshot.clinic, snapshot.key), None, page=False)
            recomputed += 1
    return recomputed
