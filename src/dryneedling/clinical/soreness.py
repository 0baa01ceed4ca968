"""Post-needling soreness readings (issue 11): when each is due, and the trend of a session's readings.

Soreness after dry needling starts within hours, is settled in most patients by 24-48 h
(Navarro-Santana 2020, Table 5) and is followed to 72 h in the studies that measure it
(Martin-Pintado-Zugasti 2016). The readings are taken at the end of the session (0 h, by the
clinician) and at 24, 48 and 72 h (by the patient, through the session's soreness link), on the
0-10 NPRS scale. A patient reading is accepted within TOLERANCE of its time, so that the trend
compares like with like; outside every window the page says when the next one is due.

No Django here: times are hours after the end of the session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CLINIC_HOURS = 0
PATIENT_HOURS: tuple[int, ...] = (24, 48, 72)
READING_HOURS: tuple[int, ...] = (CLINIC_HOURS, *PATIENT_HOURS)
TOLERANCE_HOURS = 6
LAST_HOURS = PATIENT_HOURS[-1] + TOLERANCE_HOURS  # the soreness link closes then
SCORE_RANGE = (0, 10)
SOURCES: tuple[str, ...] = ("navarro_santana_2020", "martin_pintado_2016")


@dataclass(frozen=True)
class Due:
    """Which patient reading the link asks for at a moment: `hours` when one is due now; else
    `next_hours` (the next one still to come, None when none is left) and when its window opens."""

    hours: int | None
    next_hours: int | None

    @property
    def opens_at_hours(self) -> int | None:
        return None if self.next_hours is None else self.next_hours - TOLERANCE_HOURS

    @property
    def closes_at_hours(self) -> int | None:
        return None if self.hours is None else self.hours + TOLERANCE_HOURS


def window(hours: int) -> tuple[int, int]:
    """The hours after the session within which the reading of `hours` is accepted."""
    return hours - TOLERANCE_HOURS, hours + TOLERANCE_HOURS


def due_at(elapsed_hours: float, taken: Iterable[int]) -> Due:
    """The reading due `elapsed_hours` after the session, given the readings already taken."""
    done = set(taken)
    for hours in PATIENT_HOURS:
        low, high = window(hours)
        if hours in done or elapsed_hours > high:
            continue
        if elapsed_hours >= low:
            return Due(hours=hours, next_hours=None)
        return Due(hours=None, next_hours=hours)
    return Due(hours=None, next_hours=None)


def later_readings_possible(elapsed_hours: float, taken: Iterable[int]) -> bool:
    """Whether the patient may still give a reading (one is due now or still to come)."""
    due = due_at(elapsed_hours, taken)
    return due.hours is not None or due.next_hours is not None


def check_score(score: object) -> int:
    """A whole number from 0 to 10, else ValueError in words."""
    low, high = SCORE_RANGE
    try:
        value = int(str(score).strip())
    except (TypeError, ValueError):
        raise ValueError(f"Soreness: choose a whole number from {low} to {high}.") from None
    if not low <= value <= high:
        raise ValueError(f"Soreness: choose a whole number from {low} to {high}.")
    return value


def trend_words(readings: Mapping[int, int]) -> str:
    """'0 h 6 → 24 h 4 → 48 h 2 → 72 h 1: settling' for a session's readings (by hours)."""
    if not readings:
        return "No soreness readings yet."
    hours = sorted(readings)
    series = " → ".join(f"{h} h {readings[h]}" for h in hours)
    return f"{series}: {verdict(readings)}"


def verdict(readings: Mapping[int, int]) -> str:
    """The trend in words: settled (0 now), settling (lower than the first reading), not settling."""
    hours = sorted(readings)
    first, last = readings[hours[0]], readings[hours[-1]]
    if last == 0 and hours[-1] > CLINIC_HOURS:
        return "settled"
    if len(hours) == 1:
        return "one reading so far"
    if last < first:
        return "settling"
    if hours[-1] >= PATIENT_HOURS[-1]:
        return "not settled by 72 h: review at the next session"
    return "not settling yet"


SOURCE_NAMES = {
    "navarro_santana_2020": "Navarro-Santana 2020, Table 5",
    "martin_pintado_2016": "Martin-Pintado-Zugasti 2016",
}


def source_words() -> str:
    """The 72 h window's sources with their evidence tag, for every page showing a trend."""
    from dryneedling.clinical.knowledge import get_knowledge

    sources = get_knowledge().sources
    tags = sorted({sources[s].evidence for s in SOURCES if s in sources})
    names = "; ".join(SOURCE_NAMES[s] for s in SOURCES)
    return (
        "Post-needling soreness settles in most patients within 24-48 h and is followed to 72 h "
        f"({names}) [{', '.join(tags)}]."
    )
