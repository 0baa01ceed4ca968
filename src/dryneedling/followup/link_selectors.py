"""Reads of the patients' links (issue 10): each link of a patient with its sendings, for the
patient page, and the links waiting to be sent, for Today. Scoped to the actor's clinic; front desk
and clinicians (PATIENT_LINKS), home-care plans for clinicians only. Nothing here writes: a link
not issued yet has no URL until it is sent (the send issues it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.permissions import CLINICAL, PATIENT_LINKS, require
from dryneedling.clinical.education import CONSENT_VERSION
from dryneedling.followup import links
from dryneedling.followup.models import CheckIn, HomeCarePlan, LinkDelivery, PatientLink
from dryneedling.followup.selectors import ScheduledCheckIn, checkin_schedule_for
from dryneedling.patients.models import Patient
from dryneedling.treatment.models import Consent

# Today's "links to send": check-ins due within this (the soreness check-in, due the day after the
# session, is sent at checkout), and home-care plans made within this many days.
UNSENT_CHECKIN_AHEAD = timedelta(days=2)
UNSENT_PLAN_DAYS = timedelta(days=14)
OPEN_STATUSES = ("due", "overdue", "upcoming")  # a check-in whose link is worth sending


@dataclass(frozen=True)
class LinkRow:
    """One link of a patient as the patient page lists it, with its sendings (newest first)."""

    kind: str  # a LinkDelivery.Kind
    target_id: int | None  # the check-in or home-care plan; None for consent and education
    label: str
    url: str  # "" until a link is issued (sending issues it)
    sendable: bool
    closed: str  # why it cannot be sent, in words ("" when sendable)
    deliveries: list[LinkDelivery]

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.target_id or 0}"


def education_url(clinic: Clinic) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("education", args=[clinic.slug])


def consent_given(*, clinic_id: int, patient: Patient) -> bool:
    """A consent of the current version not withdrawn: nothing left for a consent link to sign."""
    return (
        Consent.objects.for_clinic(clinic_id)
        .filter(patient=patient, version=CONSENT_VERSION, withdrawn_at__isnull=True)
        .exists()
    )


def consent_link_open(*, patient: Patient, now: datetime | None = None) -> PatientLink | None:
    """The patient's newest consent link that still works (not withdrawn, used or expired)."""
    now = now or timezone.now()
    link = links.current_links(purpose=links.Purpose.CONSENT, targets=[patient]).get(patient.pk)
    return link if link is not None and link.used_at is None and link.expires_at > now else None


def patient_link_rows_for(
    *,
    actor: User,
    patient: Patient,
    schedule: list[ScheduledCheckIn] | None = None,
    consent: Consent | None | Literal["unread"] = "unread",
) -> list[LinkRow]:
    """The patient's links the actor may send: consent, education and the open check-ins (front
    desk and clinicians), and the home-care plans (clinicians). Reads only. The patient page
    passes the check-in schedule and the current consent it has read already (`consent_current_for`)."""
    membership = require(actor=actor, capability=PATIENT_LINKS)
    sent = list(
        LinkDelivery.objects.for_actor(actor)
        .filter(patient=patient)
        .select_related("sent_by", "link")
        .order_by("-sent_at", "-id")[:200]
    )

    def of(kind: str, target: str = "", target_id: int | None = None) -> list[LinkDelivery]:
        return [d for d in sent if d.kind == kind and (not target or getattr(d.link, target, None) == target_id)]

    Kind = LinkDelivery.Kind
    if consent == "unread":
        given = consent_given(clinic_id=membership.clinic_id, patient=patient)
    else:
        given = consent is not None and consent.version == CONSENT_VERSION and consent.withdrawn_at is None
    now = timezone.now()

    def live(sendings: list[LinkDelivery]) -> str:
        """The URL of the link last sent, while it works (sending issues one when none does)."""
        for d in sendings:
            if d.link and d.link.revoked_at is None and d.link.used_at is None and d.link.expires_at > now:
                return links.url_for(d.link)
        return ""

    rows = [
        LinkRow(
            Kind.CONSENT,
            None,
            "Consent form: read about the treatment and sign",
            "" if given else live(of(Kind.CONSENT)),
            not given,
            "Consent is on file: there is nothing for the patient to sign." if given else "",
            of(Kind.CONSENT),
        ),
        LinkRow(
            Kind.EDUCATION,
            None,
            "About dry needling (the clinic's page)",
            education_url(membership.clinic),
            True,
            "",
            of(Kind.EDUCATION),
        ),
    ]
    zone = ZoneInfo(membership.clinic.time_zone)
    for row in checkin_schedule_for(actor=actor, patient=patient) if schedule is None else schedule:
        if row.status in OPEN_STATUSES:
            label = f"Check-in: {row.kind_label}, due {timezone.localtime(row.due_at, zone):%Y-%m-%d}"
            sendings = of(Kind.CHECKIN, "check_in_id", row.check_in_id)
            rows.append(LinkRow(Kind.CHECKIN, row.check_in_id, label, row.link, True, "", sendings))
    if membership.has_role(*CLINICAL.roles):
        for plan in HomeCarePlan.objects.for_actor(actor).filter(patient=patient).select_related("episode"):
            sendings = of(Kind.HOMECARE, "home_care_plan_id", plan.pk)
            url = live(sendings)
            rows.append(
                LinkRow(Kind.HOMECARE, plan.pk, f"Home-care plan: {plan.episode.reason}", url, True, "", sendings)
            )
    return rows


@dataclass(frozen=True)
class UnsentLink:
    patient: Patient
    what: str
    since: datetime


def _sent(actor: User, **match: Any) -> Exists:
    return Exists(
        LinkDelivery.objects.for_actor(actor).filter(
            status=LinkDelivery.Status.SENT, link__revoked_at__isnull=True, **match
        )
    )


def _link_sent(actor: User, **target: Any) -> Exists:
    """A live link of the target (a check-in or a plan) with a sending: read from the link's side,
    by the target's key (`patientlink_clinic_*_idx`), not by scanning the clinic's sendings."""
    return Exists(
        PatientLink.objects.for_actor(actor).filter(
            revoked_at__isnull=True, deliveries__status=LinkDelivery.Status.SENT, **target
        )
    )


def links_unsent_for(*, actor: User, limit: int = 100) -> list[UnsentLink]:
    """Links waiting to be sent, oldest first: check-ins open or due within UNSENT_CHECKIN_AHEAD
    that no one sent (by hand or by the reminder job), consent links issued and not sent while
    the patient has not consented, and, for clinicians, home-care plans of the last
    UNSENT_PLAN_DAYS never sent. A sending drops the row."""
    membership = require(actor=actor, capability=PATIENT_LINKS)
    now = timezone.now()
    rows: list[UnsentLink] = []
    check_ins = (
        CheckIn.objects.for_actor(actor)
        .filter(answered_at__isnull=True, expires_at__gt=now, due_at__lte=now + UNSENT_CHECKIN_AHEAD)
        .filter(due_at__gt=now - CheckIn.LONGEST_OPEN_WINDOW)  # still open: recent due dates only
        .filter(reminder_sent_at__isnull=True)
        .exclude(_link_sent(actor, check_in=OuterRef("pk")))
        .select_related("patient")
        .order_by("due_at", "id")[:limit]
    )
    rows += [UnsentLink(c.patient, f"check-in ({c.get_kind_display()})", c.due_at) for c in check_ins]
    consents = (
        PatientLink.objects.for_actor(actor)
        .filter(purpose=PatientLink.Purpose.CONSENT, revoked_at__isnull=True, used_at__isnull=True, expires_at__gt=now)
        .exclude(_sent(actor, kind=LinkDelivery.Kind.CONSENT, patient=OuterRef("patient"), link__expires_at__gt=now))
        .exclude(
            Exists(
                Consent.objects.for_actor(actor).filter(
                    patient=OuterRef("patient"), version=CONSENT_VERSION, withdrawn_at__isnull=True
                )
            )
        )
        .select_related("patient")
        .order_by("created_at", "id")[:limit]
    )
    seen: set[int] = set()
    for link in consents:
        if link.patient is not None and link.patient_id not in seen:
            seen.add(link.patient_id)
            rows.append(UnsentLink(link.patient, "consent form", link.created_at))
    if membership.has_role(*CLINICAL.roles):
        plans = (
            HomeCarePlan.objects.for_actor(actor)
            .filter(created_at__gt=now - UNSENT_PLAN_DAYS)
            .exclude(_link_sent(actor, home_care_plan=OuterRef("pk")))
            .select_related("patient")
            .order_by("created_at", "id")[:limit]
        )
        rows += [UnsentLink(p.patient, "home-care plan", p.created_at) for p in plans]
    return sorted(rows, key=lambda row: row.since)[:limit]
