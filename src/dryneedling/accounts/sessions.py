"""Signed-in browsers of a user: recorded at sign-in, listed on the Active sessions page, ended
one by one, everywhere else, or all of them after a password reset.

Django's session table cannot be searched by user (the user id is inside the encoded data), so a
`UserSession` row names each signed-in session by its key. Ending a session deletes the session
itself (SESSION_ENGINE is the database), so the other browser's next request is signed out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User, UserSession

_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def user_agent_summary(user_agent: str) -> str:
    """'Chrome 120 on Linux': enough to recognise one's own browser; the full string is not kept."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    if browser == "Chrome" and "Chromium/" in user_agent:
        browser = "Chromium"
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if not browser:
        return f"A browser on {system}" if system else "Unknown browser"
    marker = {"Edge": "Edg", "Opera": "OPR", "Safari": "Version"}.get(browser, browser)
    version = re.search(rf"{marker}/(\d+)", user_agent)
    label = f"{browser} {version.group(1)}" if version else browser
    return f"{label} on {system}" if system else label


def _store() -> type:
    return import_module(settings.SESSION_ENGINE).SessionStore  # type: ignore[no-any-return]


def _end(keys: list[str]) -> None:
    store = _store()
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(session_key__in=keys).delete()


# ---- writes: sign-in, key changes, sign-out ------------------------------------------------------


@transaction.atomic
def session_started(*, user: User, session_key: str, user_agent: str, ip_address: str | None) -> UserSession:
    """Record a new signed-in session (the user_logged_in signal calls this) and forget the
    user's sessions that have expired since."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()
    row, _ = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "user_agent": user_agent_summary(user_agent)[:80], "ip_address": ip_address},
    )
    return row


@transaction.atomic
def session_key_changed(*, user: User, old_key: str, new_key: str) -> None:
    """The session kept its data under a new key (two-factor verification and password change
    cycle it): the row follows it."""
    if UserSession.objects.filter(session_key=new_key).exists():
        UserSession.objects.filter(user=user, session_key=old_key).delete()
    else:
        UserSession.objects.filter(user=user, session_key=old_key).update(session_key=new_key)


def session_signed_out(*, session_key: str | None) -> None:
    """The user signed out (the user_logged_out signal): the row goes with the session."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


@transaction.atomic
def session_end(*, actor: User, session_id: int, current_key: str | None) -> UserSession:
    """Sign out one of the actor's other sessions. Another user's session is a 404."""
    row = UserSession.objects.filter(user=actor, pk=session_id).first()
    if row is None:
        raise Http404("No such session of yours.")
    if row.session_key == current_key:
        raise ValidationError("That is the session you are using now: use Sign out at the top of the page.")
    _end([row.session_key])
    audit_record(actor=actor, action="session.end", object_type="accounts.usersession", object_id=row.pk)
    return row


@transaction.atomic
def sessions_end_others(*, actor: User, current_key: str | None) -> int:
    """Sign the actor out everywhere but in this session; returns how many sessions ended."""
    ended = sessions_end_all(user=actor, keep=current_key)
    audit_record(
        actor=actor,
        action="session.end_others",
        object_type="accounts.user",
        object_id=actor.pk,
        detail={"sessions": ended},
    )
    return ended


def sessions_end_all(*, user: User, keep: str | None = None) -> int:
    """End every session of `user` but `keep` (after a password reset or change). The caller audits."""
    rows = UserSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(rows.values_list("session_key", flat=True))
    _end(keys)
    return len(keys)


# ---- reads ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveSession:
    id: int
    signed_in_at: datetime
    last_seen: datetime
    browser: str
    ip_address: str | None
    current: bool


def active_sessions_for(*, actor: User, current_key: str | None) -> list[ActiveSession]:
    """The actor's signed-in sessions that have not expired, the one in use first, then the most
    recently used. Last seen: the session's expiry less its lifetime (saved on every request)."""
    rows = list(UserSession.objects.filter(user=actor))
    expiry = dict(
        Session.objects.filter(
            session_key__in=[r.session_key for r in rows], expire_date__gt=timezone.now()
        ).values_list("session_key", "expire_date")
    )
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    found = [
        ActiveSession(
            id=row.pk,
            signed_in_at=row.created_at,
            last_seen=max(expiry[row.session_key] - age, row.created_at),
            browser=row.user_agent or "Unknown browser",
            ip_address=row.ip_address,
            current=row.session_key == current_key,
        )
        for row in rows
        if row.session_key in expiry
    ]
    return sorted(found, key=lambda s: (not s.current, -s.last_seen.timestamp()))
