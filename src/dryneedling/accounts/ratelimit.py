"""Fixed-window rate limits kept in the database, so every gunicorn worker counts the same requests.

One row per (scope, key digest, window start); a hit is one atomic upsert (INSERT ... ON CONFLICT
DO UPDATE ... RETURNING, the same SQL on SQLite >= 3.35 and PostgreSQL), so concurrent workers
never lose a count. When a key starts a new window, that scope's rows of ended windows are deleted.
Limits come from settings.RATE_LIMITS ({scope: (requests, seconds)}) over DEFAULT_LIMITS.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from dryneedling.accounts.models import RateLimitCounter

# scope: (at most this many, per this many seconds). docs/decisions.md gives the reasons.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "login-address": (20, 15 * 60),  # failed sign-ins from one address, whatever the emails
    "login-email": (10, 15 * 60),  # failed sign-ins to one email, whatever the addresses
    "password-reset-address": (10, 60 * 60),  # reset requests from one address
    "password-reset-email": (3, 60 * 60),  # reset requests for one email (no mail bombing)
    "public-link": (30, 60),  # requests to the patients' link pages from one address
    # Analytics figures computed for a view or Recompute (seconds of database work each at 100,000
    # patients), per clinic: stored figures are read without limit, and the periodic job is not counted.
    "analytics-compute": (20, 10 * 60),
    "api-token": (600, 60),  # API requests per user, all tokens together (issue 13): a sync, not a flood
    "api-token-failed": (30, 60),  # API requests with a wrong, revoked or expired token, per address
}

# What each refusal says, after "Too many ..." (the 429 page).
REASONS = {
    "login-address": "failed sign-ins from your network",
    "login-email": "failed sign-ins to this account",
    "axes": "failed sign-ins to this account from your network",
    "password-reset-address": "password reset requests from your network",
    "password-reset-email": "password reset requests for this email address",
    "public-link": "requests from your network",
    "analytics-compute": "new analytics computations for this clinic (each reads the whole record)",
    "api-token": "API requests by this user",
    "api-token-failed": "requests with an invalid API token from your network",
}


# The 429 page's heading.
TITLES = {
    "login-address": "Too many sign-in attempts",
    "login-email": "Too many sign-in attempts",
    "axes": "Too many sign-in attempts",
    "password-reset-address": "Too many password reset requests",
    "password-reset-email": "Too many password reset requests",
    "analytics-compute": "Too many analytics computations",
}


@dataclass(frozen=True)
class Decision:
    scope: str
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def reason(self) -> str:
        return REASONS.get(self.scope, "requests")

    @property
    def title(self) -> str:
        return TITLES.get(self.scope, "Too many requests")


def limit_for(scope: str) -> tuple[int, int]:
    configured = getattr(settings, "RATE_LIMITS", {}) or {}
    limit, window = configured.get(scope) or DEFAULT_LIMITS[scope]
    return int(limit), int(window)


def _digest(scope: str, key: str) -> str:
    return salted_hmac("dryneedling.ratelimit", f"{scope}\x1f{key}").hexdigest()


def _window(now: datetime, window: int) -> tuple[datetime, int]:
    epoch = int(now.timestamp())
    start = epoch - epoch % window
    start_at = datetime.fromtimestamp(start, tz=now.tzinfo or timezone.get_current_timezone())
    return start_at, max(1, math.ceil(start + window - now.timestamp()))


class RateLimited(Exception):  # noqa: N818 - a refusal: the caller answers 429 in words
    """Raised by `rate_limit_enforce` past a limit; carries the decision (scope, wait)."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


def rate_limit_enforce(*, scope: str, key: str) -> None:
    """Count one request of `key` in `scope`; RateLimited when over the limit (for services, whose
    callers turn it into a 429)."""
    decision = rate_limit_hit(scope=scope, key=key)
    if not decision.allowed:
        raise RateLimited(decision)


def rate_limit_hit(*, scope: str, key: str, limit: int | None = None, window: int | None = None) -> Decision:
    """Count one request of `key` in `scope`; allowed while the window's count stays within the limit."""
    if limit is None or window is None:
        limit, window = limit_for(scope)
    now = timezone.now()
    start, retry_after = _window(now, window)
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (scope, key_digest, window_start, count) VALUES (%s, %s, %s, 1) "  # noqa: S608  (table name from the model)
        f"ON CONFLICT (scope, key_digest, window_start) DO UPDATE SET count = {table}.count + 1 RETURNING count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope, _digest(scope, key), connection.ops.adapt_datetimefield_value(start)])
        count = int(cursor.fetchone()[0])
    if count == 1:  # a new window for this key: forget the windows that have ended
        RateLimitCounter.objects.filter(scope=scope, window_start__lt=now - timedelta(seconds=window)).delete()
    return Decision(scope=scope, allowed=count <= limit, count=count, limit=limit, retry_after=retry_after)


def rate_limit_peek(*, scope: str, key: str) -> Decision:
    """Whether `key` is over its limit now, without counting a request (sign-in counts failures only)."""
    limit, window = limit_for(scope)
    now = timezone.now()
    start, retry_after = _window(now, window)
    row = RateLimitCounter.objects.filter(scope=scope, key_digest=_digest(scope, key), window_start=start).first()
    count = row.count if row else 0
    return Decision(scope=scope, allowed=count < limit, count=count, limit=limit, retry_after=retry_after)


def rate_limited_keys(*, scope: str, keys: Iterable[str]) -> set[str]:
    """Which of `keys` are over their limit in `scope` now (as `rate_limit_peek`), in one query."""
    limit, window = limit_for(scope)
    start, _ = _window(timezone.now(), window)
    by_digest = {_digest(scope, key): key for key in keys}
    over = RateLimitCounter.objects.filter(
        scope=scope, key_digest__in=list(by_digest), window_start=start, count__gte=limit
    ).values_list("key_digest", flat=True)
    return {by_digest[digest] for digest in over}


def rate_limit_clear(*, scope: str, key: str) -> int:
    """Forget every window's count of `key` in `scope` (a clinic admin unlocking an account)."""
    deleted, _ = RateLimitCounter.objects.filter(scope=scope, key_digest=_digest(scope, key)).delete()
    return int(deleted)
