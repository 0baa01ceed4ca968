"""Field checks shared by forms, services, the API and the CLI."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from dryneedling.clinical import text
from dryneedling.clinical.npi import NPI_PREFIX, npi_is_valid  # noqa: F401  (re-exported)
from dryneedling.clinical.text import forbidden_characters
from dryneedling.patients.limits import too_many_conditions

# ICD-10-CM: letter, digit, digit-or-letter, then optionally a dot and 1-4 characters.
ICD10_RE = re.compile(r"^[A-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$")
MRN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,31}$")
OLDEST_BIRTH_YEAR = 1900


def reject_control_characters(value: str, *, field: str, multiline: bool = True) -> None:
    """The one free-text rule (dryneedling.clinical.text): no Unicode control or format characters;
    tab and newlines only where the text may span lines."""
    if forbidden_characters(value, multiline=multiline):
        raise ValidationError({field: text.MESSAGE})


def validate_free_text(value: str, *, multiline: bool) -> None:
    """The same rule as a field validator (no field name: the form knows it)."""
    if isinstance(value, str) and forbidden_characters(value, multiline=multiline):
        raise ValidationError(text.MESSAGE, code="control_characters")


def validate_birth_date(value: date, *, today: date) -> None:
    if value > today:
        raise ValidationError({"date_of_birth": "The date of birth cannot be in the future."})
    if value.year < OLDEST_BIRTH_YEAR:
        raise ValidationError({"date_of_birth": f"The date of birth cannot be before {OLDEST_BIRTH_YEAR}."})


def validate_body_size(*, height_cm: object, weight_kg: object) -> None:
    """Height and weight are optional; when given they must be plausible (they feed BMI)."""
    if height_cm is not None and (not isinstance(height_cm, int) or not 40 <= height_cm <= 250):
        raise ValidationError({"height_cm": "Height is a whole number of centimetres from 40 to 250."})
    if weight_kg is not None:
        try:
            weight = Decimal(str(weight_kg))
        except InvalidOperation:
            raise ValidationError({"weight_kg": "Weight is a number of kilograms from 2 to 400."}) from None
        if not Decimal(2) <= weight <= Decimal(400):
            raise ValidationError({"weight_kg": "Weight is a number of kilograms from 2 to 400."})


def _name_tokens(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return [t for t in re.split(r"[^a-z0-9']+", plain) if t]


def names_match(typed: str, expected: str) -> bool:
    """Whether a typed signature names the expected person: every word of the expected name (any
    order, case, accents and punctuation ignored; middle names and initials may be added)."""
    want, got = _name_tokens(expected), _name_tokens(typed)
    return bool(want) and all(token in got for token in want) and len(got) <= len(want) + 2


def validate_mrn(value: str) -> None:
    if not MRN_RE.match(value):
        raise ValidationError(
            {"mrn": "An MRN is 1-32 letters, digits, '-', '_', '/' or '.', starting with a letter or digit."}
        )


def validate_npi(value: str) -> None:
    if value and not npi_is_valid(value):
        raise ValidationError(
            {"referring_physician_npi": "An NPI is 10 digits and its last digit checks the others: look at it again."}
        )


PHONE_PUNCTUATION = " -().+/"


def phone_digits(value: str) -> str:
    """The digits of a phone number as typed ("(555) 010-2030" -> "5550102030")."""
    return "".join(ch for ch in value if ch.isascii() and ch.isdigit())


def normalise_icd10(code: str) -> str:
    code = code.strip().upper()
    if len(code) > 3 and "." not in code:
        code = f"{code[:3]}.{code[3:]}"
    return code


def parse_conditions(text: str) -> list[tuple[str, str]]:
    """One condition a line: 'M54.50 Low back pain, unspecified'. Raises ValidationError."""
    conditions: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        code_part, _, text_part = line.partition(" ")
        code = normalise_icd10(code_part)
        if not ICD10_RE.match(code):
            raise ValidationError(
                {"conditions": f"Line {number}: {code_part[:12]!r} is not an ICD-10-CM code (e.g. M54.50)."}
            )
        if code in seen:
            raise ValidationError({"conditions": f"Line {number}: {code} is listed twice."})
        text_part = text_part.strip(" -–:")
        if not text_part:
            raise ValidationError({"conditions": f"Line {number}: add the condition's text after {code}."})
        if len(text_part) > 200:
            raise ValidationError({"conditions": f"Line {number}: the text is over 200 characters."})
        seen.add(code)
        conditions.append((code, text_part))
    message = too_many_conditions(len(conditions))
    if message:
        raise ValidationError({"conditions": message})
    return conditions
