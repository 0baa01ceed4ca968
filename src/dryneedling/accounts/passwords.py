"""A breached-password check that needs no network.

Django's CommonPasswordValidator compares the whole password with 19,646 passwords from breach
data, but only 187 of them are 12 characters or longer, our minimum: alone it refuses almost
nothing here. Breached long passwords are mostly those same words padded, repeated or spelled in
leetspeak ("password2024!", "qwertyqwerty", "P@ssw0rd1234"), so this validator reduces a password
to its core and compares the core with the same list. A clinic may add its own breach list
(BREACHED_PASSWORDS_FILE: one password a line, optionally gzip), compared whole, case-insensitive.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

_LEET = str.maketrans({"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
MIN_CORE = 5  # shorter cores ("abc", "test") would refuse good passphrases that merely contain them


def _read(path: Path) -> frozenset[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="ignore") as handle:  # type: ignore[operator]
        return frozenset(line.strip().lower() for line in handle if line.strip())


@lru_cache(maxsize=4)
def _list(path: str) -> frozenset[str]:
    return _read(Path(path))


def password_cores(password: str) -> set[str]:
    """The forms of `password` compared with the list: whole, without padding, de-leeted, halved."""
    lowered = password.lower().replace(" ", "")
    cores = {lowered, _EDGES.sub("", lowered), _EDGES.sub("", lowered.translate(_LEET)), lowered.translate(_LEET)}
    for core in list(cores):
        half = len(core) // 2
        if len(core) % 2 == 0 and core[:half] == core[half:]:
            cores.add(core[:half])  # "qwertyqwerty"
    return {core for core in cores if len(core) >= MIN_CORE}


class BreachedPasswordValidator:
    def __init__(self) -> None:
        self.common = _list(str(CommonPasswordValidator().DEFAULT_PASSWORD_LIST_PATH))

    def _extra(self) -> frozenset[str]:
        path = getattr(settings, "BREACHED_PASSWORDS_FILE", "")
        return _list(str(path)) if path else frozenset()

    def validate(self, password: str, user: object = None) -> None:
        if password.lower() in self._extra() or password_cores(password) & self.common:
            raise ValidationError(
                "This password, or a word it is built on, appears in lists of leaked passwords. "
                "Choose another: a few unrelated words make a strong one.",
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return "Your password cannot be a leaked password, padded or spelled differently."
