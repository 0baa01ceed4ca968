"""The one write of the analytics: alert the clinic admins when a clinician's serious-event CUSUM
crosses its limit (docs/decisions.md, "issue 12 — clinic analytics dashboard").

Each crossing (clinician, case number at which the chart signalled) is mailed once, through
Django's email backend, to the clinic's active admins, and recorded as an audit row
`analytics.cusum_signal` (ids and numbers only). That audit row is also the memory of what was
already sent: a crossing with a row is not mailed again. Only charts over the whole record are
checked (no condition, region or period filter): a filtered chart restarts elsewhere and its case
numbers are not the clinician's.

The periodic job (`dryneedling send-due`) checks every clinic (`cusum_signals_check_all`), so a
crossing reaches the admins whether or not anyone opens the dashboard; the page checks too. The
clinic's row is locked while a check reads what was sent and records what it sends, so two
checks at once (two job runs, a job and a page view) mail a crossing once.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import AuditEvent, Clinic, User
from dryneedling.reports.analytics.filters import Filters
from dryneedling.reports.analytics.safety import SafetyMonitor, safety_monitor

log = logging.getLogger(__name__)
SIGNAL_ACTION = "analytics.cusum_signal"
SUBJECT = "dryneedling: a clinician's serious side effects crossed the CUSUM limit"


def cusum_signals_check_all() -> int:
    """The periodic job: every clinic's whole-record CUSUM charts; the number of new crossings."""
    total = 0
    for clinic in Clinic.objects.order_by("pk"):
        total += cusum_signals_notify(clinic=clinic, monitor=safety_monitor(Filters(clinic=clinic)))
    return total


def cusum_signals_notify(*, clinic: Clinic, monitor: SafetyMonitor) -> int:
    """Mail and audit each CUSUM crossing not yet recorded; the number of new crossings."""
    crossings = {
        (one.clinician_id, index + 1): one
        for one in monitor.clinicians
        if one.cusum is not None
        for index in one.cusum.signals
    }
    if not crossings or not _unsent(clinic, crossings):
        return 0  # the usual case: no lock, no write
    with transaction.atomic():
        Clinic.objects.select_for_update().filter(pk=clinic.pk).first()  # one check at a time per clinic
        return _notify_new(clinic, monitor, crossings)


def _unsent(clinic: Clinic, crossings: dict[tuple[int, int], Any]) -> list[tuple[int, int]]:
    done = {
        (detail.get("clinician_id"), detail.get("case"))
        for detail in AuditEvent.objects.filter(clinic=clinic, action=SIGNAL_ACTION).values_list("detail", flat=True)
    }
    return sorted(key for key in crossings if key not in done)


def _notify_new(clinic: Clinic, monitor: SafetyMonitor, crossings: dict[tuple[int, int], Any]) -> int:
    new = _unsent(clinic, crossings)  # again, under the lock: another check may have sent them
    if not new:
        return 0
    admins = list(
        User.objects.filter(membership__clinic=clinic, membership__is_clinic_admin=True, is_active=True).values_list(
            "email", flat=True
        )
    )
    link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("analytics")
    for clinician_id, case in new:
        one = crossings[(clinician_id, case)]
        assert one.cusum is not None
        body = (
            f"The CUSUM chart of serious side effects of {one.name} crossed its limit (h = {one.cusum.limit:g}, "
            f"odds ratio {one.cusum.odds_ratio:g} against an expected {monitor.expected_serious * 100:.3f}% per "
            f"session, {monitor.expected_source}) at their completed session number {case}.\n\n"
            f"This is a signal to review, not a finding: open the clinic analytics.\n{link}?clinician={clinician_id}\n"
        )
        try:
            if admins:
                send_mail(SUBJECT, body, None, admins)
        except Exception:  # the crossing stays on the chart whatever the mail server does
            log.exception("CUSUM signal mail not sent")
        audit_record(
            actor=None,
            action=SIGNAL_ACTION,
            clinic=clinic,
            object_type="accounts.user",
            object_id=clinician_id,
            detail={"clinician_id": clinician_id, "case": case, "limit": one.cusum.limit, "recipients": len(admins)},
        )
    return len(new)
