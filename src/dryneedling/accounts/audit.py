"""Writing the audit trail. Called by services inside their own transaction."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models

from dryneedling.accounts.client import client_address
from dryneedling.accounts.models import AuditEvent, Clinic, Membership, Outcome, User
from dryneedling.accounts.tenancy import cached_membership

# The client address of the request being served, set by AuditContextMiddleware.
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def audit_record(
    *,
    actor: User | None,
    action: str,
    clinic: Clinic | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
    patient_id: int | None = None,
) -> AuditEvent:
    """Append one audit row. `detail` must hold no patient data (field names, counts, ids).

    The patient the row is about is taken from `obj` when it is one or points to one (an id
    only; names are resolved when the trail is shown).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        patient_id = patient_id or patient_id_of(obj)
    if clinic is None and actor is not None and actor.is_authenticated:
        # A deactivated actor's denials are still filed under their clinic: no is_active check here.
        membership = cached_membership(
            actor, lambda: Membership.objects.select_related("clinic").filter(user=actor).first()
        )
        clinic = membership.clinic if membership is not None else None
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_email=actor.email if is_user and actor is not None else "",
        clinic=clinic,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        ip_address=current_ip.get(),
        detail=detail or {},
        patient_id=patient_id,
    )


def patient_id_of(obj: models.Model) -> int | None:
    """The id of the patient a record belongs to: the patient itself, a record with a patient
    (episode, session, consent...), or a note through its session. Never a query for a name."""
    if obj._meta.label_lower == "patients.patient":
        return int(obj.pk)
    value = getattr(obj, "patient_id", None)
    if value is None and "session" in obj._state.fields_cache:
        value = getattr(obj.session, "patient_id", None)  # type: ignore[attr-defined]
    return int(value) if value is not None else None


def record_view(*, actor: User, obj: models.Model, what: str) -> AuditEvent:
    """Audit that `actor` opened a patient record (a chart, a session, a note, a superbill...)."""
    return audit_record(actor=actor, action=f"{what}.view", obj=obj)


class AuditContextMiddleware:
    """Makes the client address available to audit_record without passing requests into services."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = current_ip.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)

    def process_exception(self, request: Any, exception: Exception) -> None:
        """Record in-clinic refusals (a role check's PermissionDenied) as denied. Runs after the
        view's transaction has rolled back, so the row stays; Django then renders the 403."""
        if isinstance(exception, PermissionDenied):
            record_refusal(request=request, reason=str(exception))
        return None


def record_refusal(*, request: Any, reason: str) -> AuditEvent:
    """A 'denied' row for a refused request: the route's name, the ids in its path and the
    refusal's wording (written in the code, never built from a record)."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    ids = {k: str(v)[:64] for k, v in (match.kwargs.items() if match else ()) if k.endswith("_id")}
    return audit_record(
        actor=user if user is not None and user.is_authenticated else None,
        action="permission.denied",
        object_type="route",
        object_id=(match.url_name or "") if match else "",
        outcome=Outcome.DENIED,
        detail={"method": request.method, "ids": ids, "reason": reason[:200]},
    )
