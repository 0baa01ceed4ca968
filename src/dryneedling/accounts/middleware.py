"""Two-factor sign-in is enforced for every page, not view by view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from dryneedling.accounts.sessions import session_key_changed
from dryneedling.accounts.two_factor import totp_device_for, two_factor_required

# Pages a signed-in but unverified user may still reach: the two-factor pages themselves,
# sign-in and sign-out, the health check, and the patients' public pages (no account).
EXEMPT_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "healthz",
        "two-factor-verify",
        "two-factor-setup",
        "public-check-in",
        "public-home-care",
        "public-home-care-pdf",
        "public-consent",
        "education",
        "education-pdf",
    }
)


class TwoFactorRequiredMiddleware:
    """After password sign-in, a user who must use two-factor sign-in is sent to verify a code
    (or to enrol, without an authenticator yet) before any other page.

    Needs django_otp's OTPMiddleware before it (it installs `request.user.is_verified()`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        user: Any = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in EXEMPT_URL_NAMES:
            return None
        if user.is_verified() or not two_factor_required(user=user):
            return None
        name = "two-factor-verify" if totp_device_for(user=user) is not None else "two-factor-setup"
        target = reverse(name)
        if request.method == "GET":  # come back to the page asked for; a form post is not replayed
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return HttpResponseRedirect(target)


class SessionKeyTrackingMiddleware:
    """Keeps the Active sessions page's row on the session when its key changes (two-factor
    verification and a password change cycle the key and keep the data). No query unless the key
    changed in this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        old = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        response = self.get_response(request)
        session = getattr(request, "session", None)
        new = getattr(session, "session_key", None)
        if old and new and new != old:
            user: Any = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                session_key_changed(user=user, old_key=old, new_key=new)
        return response
