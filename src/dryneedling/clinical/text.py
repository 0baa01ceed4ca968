"""Which characters free text may hold: one rule for forms, services, public pages and the CLI.

Unicode control (Cc) and format (Cf) characters have no place in a clinical record. NUL breaks
PostgreSQL (and was silently stored on SQLite); the right-to-left override (U+202E) makes
"gnp.exe" read as "exe.png" on a superbill. Tab, newline and carriage return are allowed in
multi-line text only. The zero-width joiner and non-joiner (U+200D, U+200C) are format characters
that Persian and Indic names and emoji sequences need, so they stay allowed.
"""

from __future__ import annotations

import unicodedata

FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf"})
MULTILINE_ALLOWED = frozenset("\t\n\r")
ALWAYS_ALLOWED = frozenset("\u200c\u200d")
MESSAGE = "Remove the invisible control characters (such as NUL or a right-to-left override) from this text."


def forbidden_characters(value: str, *, multiline: bool) -> list[str]:
    """The characters of ``value`` that free text may not hold, in order, each once."""
    allowed = ALWAYS_ALLOWED | (MULTILINE_ALLOWED if multiline else frozenset())
    found: dict[str, None] = {}
    for char in value:
        if char not in allowed and unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            found[char] = None
    return list(found)


def describe(chars: list[str]) -> str:
    """'U+0000, U+202E' for a message or a log line."""
    return ", ".join(f"U+{ord(c):04X}" for c in chars)


def escape_forbidden(value: str) -> str:
    """The text with each forbidden character written as \\uXXXX, for storing a refused value
    (a failed sign-in's email) where the raw characters cannot go."""
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in FORBIDDEN_CATEGORIES else c for c in value)


# Text a spreadsheet would run as a formula when it opens a CSV (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object, *, numeric_text_ok: bool = False) -> object:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ or a tab or carriage return
    gets a leading quote; None is empty; numbers stay numbers. With ``numeric_text_ok`` a number
    written as text ("-4.0000") is left as it is (a spreadsheet reads it as a number, not a formula)."""
    if value is None:
        return ""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if numeric_text_ok:
        try:
            float(value)
        except ValueError:
            pass
        else:
            return value
    return f"'{value}"
