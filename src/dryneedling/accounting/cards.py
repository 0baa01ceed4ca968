"""Card numbers are never stored: a payment's reference that looks like one is refused.

"Looks like a card number": a run of 13 to 19 digits (spaces or dashes between them allowed, as
printed on a card) that passes the Luhn check (ISO/IEC 7812-1, Annex B). PCI DSS v4.0 req. 3 asks
that the primary account number not be stored where it need not be; the clinic needs the method
and at most a receipt or authorization reference, so the app keeps no card data at all."""

from __future__ import annotations

import re

CARD_LIKE = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of a string of digits."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def looks_like_card_number(text: str) -> bool:
    """Whether `text` holds 13–19 digits (optionally grouped by spaces or dashes) passing Luhn."""
    for match in CARD_LIKE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return True
    return False
