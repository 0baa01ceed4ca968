"""Search terms of a patient (issue 14): what the patient search matches, by prefix, from an index.

A search word matches the *start* of a term. The terms of a patient are its words, folded (lower
case, accents removed: "Zoë Núñez" -> "zoe", "nunez"): each word of the given and family names,
the parts of a hyphenated or apostrophed word and those parts joined ("o'brien", "o", "brien",
"obrien"), the MRN, the email and its domain, the phone's digits with their last 7 and last 4
(so "0102030" and "2030" find "(555) 010-2030"), and the date of birth in ISO form.

`patient_search_terms` is pure (no database): a bulk loader that writes rows without the ORM
calls it to write `PatientSearchTerm` rows itself (docs/decisions.md, "issue 14 — patient search").
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from dryneedling.patients.validation import phone_digits

TERM_MAX = 64  # characters of a term (and of a search word) compared
PHONE_TAILS = (7, 4)  # the local number, and the last four digits clinics ask for
_PARTS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case (casefold: "ß" -> "ss"), accents removed (NFKD, combining marks dropped),
    whitespace collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFKC", bare).casefold().split())


def name_terms(text: str) -> list[str]:
    """The terms of a name: each folded word, its parts, and the parts joined."""
    terms: list[str] = []
    for word in fold(text).split():
        parts = [p for p in _PARTS.split(word) if p]
        terms.append(word)
        terms.extend(parts)
        if len(parts) > 1:
            terms.append("".join(parts))
    return terms


def patient_search_terms(
    *,
    given_name: str,
    family_name: str,
    mrn: str,
    phone: str = "",
    email: str = "",
    date_of_birth: date | None = None,
) -> list[str]:
    """The sorted, distinct search terms of a patient (each at most TERM_MAX characters)."""
    terms = name_terms(given_name) + name_terms(family_name)
    terms.append(fold(mrn).replace(" ", ""))
    digits = phone_digits(phone)
    if digits:
        terms.append(digits)
        terms.extend(digits[-tail:] for tail in PHONE_TAILS if len(digits) > tail)
    address = fold(email).replace(" ", "")
    if address:
        terms.append(address)
        domain = address.partition("@")[2]
        if domain:
            terms.append(domain)
    if date_of_birth is not None:
        terms.append(date_of_birth.isoformat())
    return sorted({term[:TERM_MAX] for term in terms if term})


def search_word(text: str) -> str:
    """A typed search word as it is compared with the terms."""
    return fold(text).replace(" ", "")[:TERM_MAX]
