"""Sign-in and sign-out signals, forwarded to the sessions service (no logic here): every path that
signs a user in (the form, the test client's login) records the session the same way."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from dryneedling.accounts import sessions
from dryneedling.accounts.client import client_address


@receiver(user_logged_in, dispatch_uid="dryneedling.accounts.session_started")
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if request is None or not key:
        return
    sessions.session_started(
        user=user,
        session_key=key,
        user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:500],
        ip_address=client_address(request),
    )


@receiver(user_logged_out, dispatch_uid="dryneedling.accounts.session_signed_out")
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    sessions.session_signed_out(session_key=getattr(getattr(request, "session", None), "session_key", None))
