"""What the view modules share: the authenticated request type, the form-error mapping and the one
answer to a refused patient link. View modules import this, never each other."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Outcome, User


class AuthedRequest(HttpRequest):
    """The request of views behind login_required: the user is a real User, htmx is parsed."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def form_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error)


LINK_MESSAGES = {
    "invalid": "This link is not valid. Please use the link in your most recent message from the clinic.",
    "expired": "This link has expired. The clinic will contact you if they need anything.",
    "used": "This form has already been answered. Thank you.",
    "revoked": (
        "This link was withdrawn by the clinic. Please use the link in your most recent message from the clinic."
    ),
}


def link_error(request: HttpRequest, reason: str) -> HttpResponse:
    """The one answer to a refused link; each refusal is audited (route and reason, never the token)."""
    status = 410 if reason in ("expired", "used", "revoked") else 404
    route = request.resolver_match.url_name if request.resolver_match else ""
    audit_record(
        actor=None,
        action="link.refused",
        object_type="route",
        object_id=route or "",
        outcome=Outcome.DENIED,
        detail={"reason": reason, "method": request.method},
    )
    return render(request, "public/link_error.html", {"message": LINK_MESSAGES[reason]}, status=status)
