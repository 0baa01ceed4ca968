"""What the view modules share: the authenticated request type, the form-error mapping and the one
answer to a refused patient link. View modules import this, never each other."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.client import client_address
from dryneedling.accounts.models import Outcome, User
from dryneedling.accounts.ratelimit import Decision, RateLimited, rate_limit_hit
from dryneedling.clinical.text import escape_forbidden

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


class AuthedRequest(HttpRequest):
    """The request of views behind login_required: the user is a real User, htmx is parsed."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def redirect_next(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Go on to the query's `next` when it is a path of this site (e.g. back to an appointment's
    next step after a screening or a consent), else to `default`."""
    from dryneedling.web.forms.accounts import NextForm

    return HttpResponseRedirect(NextForm(request.GET).target(request, default=default))


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


def too_many_requests(request: HttpRequest, decision: Decision, *, email: str = "") -> HttpResponse:
    """The one answer to a rate limit: 429, Retry-After, a page that says in words why and when,
    and a 'denied' audit row (the route, the scope and the wait; never a token or a password)."""
    route = request.resolver_match.url_name if request.resolver_match else ""
    detail: dict[str, object] = {
        "reason": "rate-limited",
        "scope": decision.scope,
        "method": request.method,
        "retry_after": decision.retry_after,
    }
    if email:
        detail["email"] = escape_forbidden(email[:254])
    user = getattr(request, "user", None)
    audit_record(
        actor=user if user is not None and user.is_authenticated else None,
        action="rate_limit.refused",
        object_type="route",
        object_id=route or "",
        outcome=Outcome.DENIED,
        detail=detail,
    )
    minutes = max(1, math.ceil(decision.retry_after / 60))
    context = {
        "title": decision.title,
        "reason": decision.reason,
        "wait": f"{minutes} minute{'s' if minutes != 1 else ''}",
        "public": route in PUBLIC_ROUTES,
    }
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


PUBLIC_ROUTES = frozenset(
    {"public-check-in", "public-home-care", "public-home-care-pdf", "public-consent", "education", "education-pdf"}
)


def rate_limited(scope: str) -> Callable[[ViewFunc], ViewFunc]:
    """Count every request of the view per client address in `scope` (settings.RATE_LIMITS); over
    the limit, answer 429 without running the view. For the patients' public link pages."""

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            decision = rate_limit_hit(scope=scope, key=client_address(request) or "unknown")
            if not decision.allowed:
                return too_many_requests(request, decision)
            return view(request, *args, **kwargs)

        return cast(ViewFunc, wrapped)

    return decorate


def computations_limited(view: ViewFunc) -> ViewFunc:
    """Analytics views: past the clinic's limit of figure computations (reports.limits), the 429
    page says so in words instead of computing."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except RateLimited as refused:
            return too_many_requests(request, refused.decision)

    return cast(ViewFunc, wrapped)
