"""The National Provider Identifier's check digit (pure: the patient register and the clinic
profile both check NPIs with it)."""

from __future__ import annotations

NPI_PREFIX = "80840"  # health industry number prefix: the NPI check digit is Luhn over it and 9 digits


def npi_is_valid(npi: str) -> bool:
    """A National Provider Identifier: 10 digits whose last is the Luhn check digit of
    "80840" + the first 9 (CMS, "Requirements for NPI check digit")."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    digits = [int(d) for d in NPI_PREFIX + npi[:9]]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:  # every second digit from the right, starting with the rightmost
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])
