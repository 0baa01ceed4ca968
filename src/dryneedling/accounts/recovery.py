"""Recovery codes: generated here, shown once, stored only as digests."""

from __future__ import annotations

import hashlib
import secrets

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes get read aloud and typed
CODE_GROUPS = 4
GROUP_LENGTH = 4


def recovery_code_new() -> str:
    """A code like `k7qm-3hxa-9rpt-wz2c`: 16 characters of 31, about 79 random bits."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_GROUPS * GROUP_LENGTH))
    return "-".join(raw[i : i + GROUP_LENGTH] for i in range(0, len(raw), GROUP_LENGTH))


def recovery_code_normalise(code: str) -> str:
    """What a person types (upper case, spaces, dashes or none) compared as the code itself."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def recovery_code_digest(code: str) -> str:
    return hashlib.sha256(recovery_code_normalise(code).encode()).hexdigest()


def looks_like_totp(code: str) -> bool:
    digits = code.strip().replace(" ", "")
    return digits.isdigit() and len(digits) in (6, 8)
