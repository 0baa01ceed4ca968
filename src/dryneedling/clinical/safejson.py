"""JSON from people and files, parsed within bounds.

``json.loads`` recurses once per nesting level (``"[" * 50000`` raises RecursionError) and turns a
5,000-digit number into a ValueError that is not a JSONDecodeError; both used to answer 500. Here
every way the text can be unacceptable is one ``JSONInputError`` with a sentence a person reads.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_NUMBER_CHARS = 30
# Answer and plan files for the command line: far larger than any real one, still bounded.
MAX_JSON_FILE_CHARS = 1_000_000
MAX_JSON_FILE_DEPTH = 32


class JSONInputError(ValueError):
    """The text is not JSON this program accepts; the message says why, in words."""


def _depth(text: str) -> int:
    """The deepest nesting of arrays and objects, brackets inside strings ignored (linear scan)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _number(kind: type) -> Any:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_CHARS:
            raise JSONInputError(f"a number is longer than {MAX_NUMBER_CHARS} characters")
        value = kind(text)
        if isinstance(value, float) and not math.isfinite(value):
            raise JSONInputError("a number is too large")
        return value

    return parse


def _constant(name: str) -> Any:
    raise JSONInputError(f"{name} is not a number this program accepts")


def loads_bounded(text: str, *, max_chars: int, max_depth: int) -> Any:
    """Parse ``text`` as JSON of at most ``max_chars`` characters and ``max_depth`` nesting levels,
    with numbers of at most 30 characters and no NaN or Infinity. Raises JSONInputError."""
    if len(text) > max_chars:
        raise JSONInputError(f"it is longer than {max_chars:,} characters")
    if _depth(text) > max_depth:
        raise JSONInputError(f"it is nested deeper than {max_depth} levels")
    try:
        return json.loads(text, parse_int=_number(int), parse_float=_number(float), parse_constant=_constant)
    except JSONInputError:
        raise
    except json.JSONDecodeError as error:
        raise JSONInputError(f"{error.msg} (line {error.lineno}, column {error.colno})") from None
    except (ValueError, RecursionError) as error:  # belt and braces: never a 500
        raise JSONInputError(type(error).__name__) from None
