"""De-identification for the research export (issue 12): HIPAA Safe Harbor, 45 CFR 164.514(b)(2).

- No names, contacts, addresses, MRNs, member ids or free text leave the clinic: the tables list
  the columns they export (``tables.py``); nothing else is read.
- Records are keyed by pseudonyms: a keyed BLAKE2b hash of the record's id under a key drawn at random
  for each export and never stored, so two exports cannot be joined with each other or with the
  clinic's ids.
- Dates are shifted by a per-patient offset drawn from the same key (within +/- 182 days, never 0):
  intervals within a patient's record survive (days from a session to its check-in), calendar
  dates do not. Safe Harbor proper keeps only the year; the issue asks for shifted dates, and the
  data dictionary says they are shifted.
- Ages over 89 are reported as 90 ("90 or older", Safe Harbor (2)(i)(C)).
- ZIP codes are cut to their first three digits, and to 000 for the three-digit areas of 20,000
  people or fewer (the list HHS publishes from the 2000 Census; HHS, "Guidance Regarding Methods
  for De-identification of PHI", 2012, section 3.4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable, Sequence

AGE_CAP = 90
SHIFT_DAYS = 182
# Three-digit ZIP areas with 20,000 or fewer people (HHS de-identification guidance, 2012, s. 3.4).
RESTRICTED_ZIP3 = frozenset(
    {
        "036",
        "059",
        "063",
        "102",
        "203",
        "556",
        "692",
        "790",
        "821",
        "823",
        "830",
        "831",
        "878",
        "879",
        "884",
        "890",
        "893",
    }
)
_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")


class Pseudonyms:
    """Keys and date offsets for one export, from a random key that is never written anywhere.

    Keyed BLAKE2b (RFC 7693: a MAC when given a key) of ``kind:id``. Keys of records that repeat
    down a table (a patient's, an episode's, a session's) and patients' offsets are remembered up to
    ``MEMO`` of each kind, then forgotten all at once: memory stays flat however many records the
    export writes."""

    MEMO = 50_000  # about 8 MB a kind at most (measured in review: 40 MB a kind at 250,000)

    def __init__(self, key: bytes | None = None) -> None:
        secret = key or secrets.token_bytes(32)
        # Keyed once; each pseudonym hashes on a copy (a copy skips the key block's compression).
        self._keyed8 = hashlib.blake2b(key=secret, digest_size=8)
        self._keyed4 = hashlib.blake2b(key=secret, digest_size=4)
        self._memo: dict[str, dict[int, str]] = {}
        self._shifts: dict[int, int] = {}

    def _hasher(self, kind: str) -> Callable[[int], str]:
        """The pseudonym function of one kind: BLAKE2b of ``kind:id`` on a copy of the keyed state."""
        copy, prefix = self._keyed8.copy, f"{kind}:".encode()

        def one(pk: int) -> str:
            hasher = copy()
            hasher.update(prefix + b"%d" % pk)
            return hasher.hexdigest()

        return one

    def key(self, kind: str, pk: int | None) -> str | None:
        """A 16-hex-digit pseudonym of record ``pk`` of ``kind`` (None stays None)."""
        return None if pk is None else self._hasher(kind)(pk)

    def keys(self, kind: str, pks: Sequence[int | None], *, repeats: bool = True) -> list[str | None]:
        """The pseudonyms of a column of ids. ``repeats=False`` for a table's own ids (each once)."""
        one = self._hasher(kind)
        if not repeats:
            return [None if pk is None else one(pk) for pk in pks]
        memo = self._memo.setdefault(kind, {})
        if len(memo) > self.MEMO:
            memo.clear()
        found = memo.get
        out: list[str | None] = []
        append = out.append
        for pk in pks:
            value = found(pk)  # type: ignore[arg-type]
            if value is None and pk is not None:
                value = memo[pk] = one(pk)
            append(value)
        return out

    def shift_days(self, patient_pk: int) -> int:
        """The patient's date offset in days: 1 to 182, earlier or later."""
        days = self._shifts.get(patient_pk)
        if days is None:
            if len(self._shifts) > self.MEMO:
                self._shifts.clear()
            hasher = self._keyed4.copy()
            hasher.update(b"shift:%d" % patient_pk)
            raw = int.from_bytes(hasher.digest())
            days = raw % SHIFT_DAYS + 1
            days = self._shifts[patient_pk] = days if raw & 1 << 31 else -days
        return days

    def shift(self, patient_pk: int) -> dt.timedelta:
        return dt.timedelta(days=self.shift_days(patient_pk))

    def date(self, patient_pk: int, day: dt.date | None) -> dt.date | None:
        """The shifted ``day`` (None stays None)."""
        return None if day is None else day + self.shift(patient_pk)

    def epoch_days(self, patient_pks: Sequence[int], days: Sequence[int | None]) -> list[int | None]:
        """A column of days since 1970-01-01, each shifted by its patient's offset (None stays None)."""
        known, shift = self._shifts.get, self.shift_days
        return [
            None if day is None else day + (known(pk) or shift(pk)) for pk, day in zip(patient_pks, days, strict=True)
        ]


def age_years(born: dt.date, on: dt.date) -> int:
    """Whole years from ``born`` to ``on``, capped at 90 (90 means 90 or older)."""
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return min(max(years, 0), AGE_CAP)


def zip3(address: str) -> str | None:
    """The first three digits of the last US ZIP code in ``address``; 000 for a restricted area."""
    found = _ZIP.findall(address or "")
    if not found:
        return None
    prefix = found[-1][:3]
    return "000" if prefix in RESTRICTED_ZIP3 else prefix
