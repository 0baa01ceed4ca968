"""Personal API tokens (issue 13): created and revoked in the browser and by the CLI, stored as a
digest, scoped read or write, always expiring, their last use noted. docs/decisions.md, "issue 13 —
personal API tokens".

A token reads `dn_<prefix>_<secret>`: the prefix (8 hex digits) finds the row, the whole token is
compared by its SHA-256 digest in constant time. The token is shown once, when created.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import ApiToken, Membership, Outcome, User
from dryneedling.accounts.selectors import membership_for

MAX_DAYS = 365
DEFAULT_DAYS = 90
LAST_USED_EVERY = timedelta(minutes=1)  # a token's last use is written at most this often


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    plaintext: str  # shown once; never stored


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_token_create(
    *, actor: User, name: str, scope: str = ApiToken.Scope.READ, days: int = DEFAULT_DAYS, via: str = "web"
) -> NewToken:
    """A new token of the actor's, for their own clinic (audited: the prefix, scope and expiry)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the token after what will use it, e.g. 'reporting script'."})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": "Choose read, or read and write."})
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"A token lasts 1 to {MAX_DAYS} days."})
    membership = membership_for(actor=actor)
    now = timezone.now()
    for _attempt in range(5):  # 32-bit prefixes: a clash is rare, and drawn again
        prefix = secrets.token_hex(4)
        plaintext = f"dn_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=actor, clinic=membership.clinic, name=name[:100], prefix=prefix, digest=_digest(plaintext),
                    scope=scope, created_at=now, expires_at=now + timedelta(days=days),
                )  # fmt: skip
            break
        except IntegrityError:
            continue
    else:
        raise ValidationError({"name": "No free token prefix was found: try again."})
    audit_record(actor=actor, action="api_token.create", clinic=membership.clinic, obj=token,
                 detail={"prefix": prefix, "scope": scope, "days": days, "via": via})  # fmt: skip
    return NewToken(token, plaintext)


def api_tokens_for(*, actor: User) -> QuerySet[ApiToken]:
    """The actor's own tokens, newest first; a clinic admin sees every token of the clinic."""
    membership = membership_for(actor=actor)
    tokens = ApiToken.objects.filter(clinic=membership.clinic).select_related("user")
    if not membership.is_clinic_admin:
        tokens = tokens.filter(user=actor)
    return tokens.order_by("-created_at", "-pk")


def api_token_revoke(*, actor: User, token_id: int, via: str = "web") -> ApiToken:
    """Revoke a token: the actor's own, or any of the clinic's for a clinic admin (audited)."""
    token = api_tokens_for(actor=actor).filter(pk=token_id).first()
    if token is None:
        raise PermissionDenied("You can revoke your own tokens; a clinic admin can revoke any of the clinic's.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", clinic=token.clinic, obj=token,
                     detail={"prefix": token.prefix, "owner_id": token.user_id, "via": via})  # fmt: skip
    return token


def api_token_authenticate(plaintext: str, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token this text is, or None (unknown, wrong, revoked, expired, user gone). A refusal
    of a token that exists leaves a denied audit row in its clinic's trail (the prefix and why)."""
    parts = (plaintext or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "dn" or not parts[1]:
        return None
    token = ApiToken.objects.filter(prefix=parts[1]).select_related("user", "clinic").first()
    if token is None:
        return None
    now = now or timezone.now()
    reason = _refusal(token, plaintext, now)
    if reason:
        detail = {"prefix": token.prefix, "reason": reason}
        audit_record(actor=None, action="api_token.refused", clinic=token.clinic, object_type="api_token",
                     object_id=token.pk, outcome=Outcome.DENIED, detail=detail)  # fmt: skip
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _refusal(token: ApiToken, plaintext: str, now: datetime) -> str:
    if not hmac.compare_digest(token.digest, _digest(plaintext)):
        return "wrong secret"
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    if not token.user.is_active:
        return "user deactivated"
    if not Membership.objects.filter(user_id=token.user_id, clinic_id=token.clinic_id).exists():
        return "user left the clinic"
    return ""


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of a user (account recovery, deactivation); the number revoked.
    The caller audits the event that caused it."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
