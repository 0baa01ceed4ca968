"""Two-factor sign-in is enforced for every page, not view by view; the session is saved only
when it needs to be (issue 14)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError
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


# ---- the session, saved when needed (issue 14) -------------------------------------------------

logger = logging.getLogger(__name__)
LAST_REFRESH_KEY = "_dryneedling_refreshed"


def idle_refresh_seconds() -> int:
    """How far the idle expiry may fall behind before a request moves it: a tenth of the idle
    timeout, at most 5 minutes (3 minutes for the default 30)."""
    return max(1, min(300, settings.SESSION_COOKIE_AGE // 10))


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware (in its place in MIDDLEWARE), with two changes.

    - The session is saved when a view changed it, or when its idle expiry (`SESSION_COOKIE_AGE`
      from the last save) has fallen more than `idle_refresh_seconds()` behind; not on every
      request (`SESSION_SAVE_EVERY_REQUEST` made every page a database write). A session therefore
      ends at most SESSION_COOKIE_AGE, and at least that less the refresh interval, after the last
      request: never later than the idle timeout says.
    - A failure to save the session (the database busy, or the session ended meanwhile) is logged
      and the view's response goes out as it is: a point the view committed is never reported as an
      error (Django answers 400 `SessionInterrupted` or 500). The session's change of this request
      is lost with it; the user's next request finds the session as it was, or signed out.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        # Only a session this request read (no query added) and that holds something.
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            last = session.get(LAST_REFRESH_KEY)
            if session.modified or not isinstance(last, int) or now - last >= idle_refresh_seconds():
                session[LAST_REFRESH_KEY] = now
        try:
            return super().process_response(request, response)  # type: ignore[no-any-return]
        except (SessionInterrupted, DatabaseError) as error:
            logger.warning(
                "session not saved after %s %s (status %s): %s",
                request.method,
                request.path,
                response.status_code,
                error.__class__.__name__,
            )
            return response
