"""Links patients open without an account (check-ins, home-care plans, consent): one choke point.

A link is a `PatientLink` row. Its token is the row's random public id (18 bytes from `secrets`,
144 bits) and an HMAC-SHA256 signature of it under a salt of its purpose
(django.core.signing.Signer): no database id, no timestamp, nothing about the patient. The
signature lets a tampered or made-up token be refused without a query, and a copy of the table
alone cannot make working links without the secret key.

`resolve(token, purpose=...)` is the only reader of tokens: it checks the signature, finds the
row by its public id and purpose, refuses it when revoked, expired or used (then asks the
purpose's spec about its record: an answered check-in, a consent already given), and returns
the link. Every public view calls it (tests/followup/test_patient_links.py walks the routes), and
no other module imports django.core.signing (an AST test). Each refusal is a LinkError whose
reason the public page words (web/views/shared.link_error) without revealing anything.

A purpose is a PatientLink.Purpose choice, a target column guarded by the table's constraint, and
a Spec below; the module refuses to load when the choices and the specs differ.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record, patient_id_of
from dryneedling.accounts.models import User
from dryneedling.accounts.selectors import clinic_for
from dryneedling.clinical.education import CONSENT_VERSION
from dryneedling.followup import soreness
from dryneedling.followup.models import PatientLink
from dryneedling.patients.selectors import deny
from dryneedling.treatment.models import Consent

Purpose = PatientLink.Purpose
TOKEN_MAX = 200  # a real token is about 68 characters
PUBLIC_ID_BYTES = 18


class LinkError(Exception):
    """The link cannot be used. `reason` is one of: invalid, expired, used, revoked."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_in_state(link: PatientLink, now: datetime) -> str | None:
    check_in = link.check_in
    if check_in is None:
        return "used"
    if check_in.kind == check_in.Kind.SORENESS and now <= check_in.expires_at:
        # A soreness link takes the 24, 48 and 72 h readings (issue 11): open while one is due or
        # to come, then used (answered) or expired (never answered).
        if soreness.link_open(check_in, now):
            return None
        return "used" if check_in.answered_at is not None else "expired"
    if check_in.answered_at is not None:
        return "used"
    if now > check_in.expires_at:  # the check-in's own window, stricter than the link's
        return "expired"
    return None


def _consent_state(link: PatientLink, now: datetime) -> str | None:
    given = Consent.objects.for_record(link).filter(
        patient=link.patient, version=CONSENT_VERSION, withdrawn_at__isnull=True
    )
    return "used" if given.exists() else None


@dataclass(frozen=True)
class Spec:
    target: str  # the PatientLink column holding the record
    prefix: str  # the URL path: /<prefix>/<token>/
    lifetime: timedelta  # from issue; the record may be stricter (see state)
    reuse_within: timedelta | None  # a link issued this recently is given again; None: always the same link
    state: Callable[[PatientLink, datetime], str | None] | None = None  # the record's own refusal


SPECS: dict[str, Spec] = {
    Purpose.CHECKIN: Spec("check_in", "c", timedelta(days=180), None, _check_in_state),
    Purpose.HOMECARE: Spec("home_care_plan", "h", timedelta(days=120), timedelta(days=1)),
    Purpose.CONSENT: Spec("patient", "s", timedelta(days=7), timedelta(0), _consent_state),
}
if set(SPECS) != set(Purpose.values):
    raise ImproperlyConfigured("Every PatientLink purpose needs its Spec in followup.links.SPECS.")


def salt_for(purpose: str) -> str:
    return f"dryneedling.patient-link.{purpose}"


def token_for(link: PatientLink) -> str:
    return signing.Signer(salt=salt_for(link.purpose)).sign(link.public_id)


def url_for(link: PatientLink) -> str:
    return f"{settings.PUBLIC_BASE_URL}/{SPECS[link.purpose].prefix}/{token_for(link)}/"


def resolve(token: str, *, purpose: str, now: datetime | None = None) -> PatientLink:
    """The usable link behind `token` for `purpose` (its target loaded), or LinkError(reason)."""
    spec = SPECS.get(purpose)
    if spec is None or not token or len(token) > TOKEN_MAX:
        raise LinkError("invalid")
    try:
        public_id = signing.Signer(salt=salt_for(purpose)).unsign(token)
    except signing.BadSignature:
        raise LinkError("invalid") from None
    link = (
        # the token is the only key here: no acting clinic yet (the link's row gives it)
        PatientLink.unscoped.select_related("clinic", spec.target).filter(public_id=public_id, purpose=purpose).first()
    )
    if link is None:
        raise LinkError("invalid")
    now = now or timezone.now()
    if link.revoked_at is not None:
        raise LinkError("revoked")
    if link.used_at is not None:
        raise LinkError("used")
    if now > link.expires_at:
        raise LinkError("expired")
    reason = spec.state(link, now) if spec.state else None
    if reason:
        raise LinkError(reason)
    return link


def link_use(link: PatientLink, *, now: datetime | None = None) -> None:
    """Spend a single-use link (compare-and-set: a second tab's answer is refused as used)."""
    if (
        PatientLink.objects.for_record(link)
        .filter(pk=link.pk, used_at__isnull=True)
        .update(used_at=now or timezone.now())
        != 1
    ):
        raise LinkError("used")


def _clinic_of(target: models.Model) -> int:
    return int(target.clinic_id)  # type: ignore[attr-defined]


def link_for(*, purpose: str, target: models.Model, actor: User | None = None) -> PatientLink:
    """The link to give for `target`: the current one where the purpose reuses links, else new.

    Callers check that `actor` may see `target`; system jobs (reminders) pass no actor.
    """
    return links_for(purpose=purpose, targets=[target], actor=actor)[target.pk]


def current_links(
    *, purpose: str, targets: Sequence[models.Model], since: datetime | None = None
) -> dict[Any, PatientLink]:
    """The newest link not withdrawn of each record (issued after `since`), by record id; records
    without one are left out. One read, no write: what a page shows before anything is issued."""
    if not targets:
        return {}
    column = SPECS[purpose].target
    current = (
        PatientLink.objects.for_clinic(_clinic_of(targets[0]))
        .filter(purpose=purpose, revoked_at__isnull=True, **{f"{column}__in": [t.pk for t in targets]})
        .order_by("created_at", "id")
    )
    if since is not None:
        current = current.filter(created_at__gt=since)
    return {getattr(link, f"{column}_id"): link for link in current}  # the newest wins


def links_for(*, purpose: str, targets: Sequence[models.Model], actor: User | None = None) -> dict[Any, PatientLink]:
    """`link_for` for several records of one purpose, by record id, in a constant number of
    queries (a page listing check-ins): one read, one insert and one audit row for the new ones."""
    spec = SPECS[purpose]
    now = timezone.now()
    found: dict[Any, PatientLink] = {}
    if spec.reuse_within is None or spec.reuse_within > timedelta(0):
        since = now - spec.reuse_within if spec.reuse_within is not None else None
        found = current_links(purpose=purpose, targets=targets, since=since)
    missing = [t for t in targets if t.pk not in found]
    if not missing:
        return found
    with transaction.atomic():  # the new links and their audit row, or neither
        made = PatientLink.objects.bulk_create(
            PatientLink(
                purpose=purpose,
                public_id=secrets.token_urlsafe(PUBLIC_ID_BYTES),
                clinic_id=_clinic_of(target),
                created_at=now,
                expires_at=now + spec.lifetime,
                **{spec.target: target},
            )
            for target in missing
        )
        found.update({getattr(link, f"{spec.target}_id"): link for link in made})
        patients = {patient_id_of(t) for t in missing}
        audit_record(
            actor=actor,
            action="patient_link.issue",
            clinic=missing[0].clinic,  # type: ignore[attr-defined]
            object_type=missing[0]._meta.label_lower,
            object_id=missing[0].pk if len(missing) == 1 else "",
            patient_id=patients.pop() if len(patients) == 1 else None,
            detail={"purpose": purpose, "targets": [t.pk for t in missing], "links": [link.pk for link in made]},
        )
    return found


def patient_links_revoke(*, actor: User, target: models.Model) -> int:
    """Withdraw every open link to `target` (a check-in, a home-care plan, a patient's consent);
    the next link given for it is a new one. Another clinic's record: a recorded 404, as everywhere."""
    column = next(
        s.target for s in SPECS.values() if PatientLink._meta.get_field(s.target).related_model is type(target)
    )
    if _clinic_of(target) != clinic_for(actor=actor).pk:  # checked before the write's transaction
        raise deny(actor=actor, object_type=column, object_id=target.pk, model=type(target))
    with transaction.atomic():
        revoked = (
            PatientLink.objects.for_record(target)
            .filter(revoked_at__isnull=True, **{column: target})
            .update(revoked_at=timezone.now())
        )
        audit_record(actor=actor, action="patient_link.revoke", obj=target, detail={"links": revoked})
    return revoked
