"""The time windows after a course of needling in which outcomes are pooled (issue 12).

The windows of the pooled evidence (Sánchez-Infante J et al., Phys Ther 2021;101:pzab070: ≤ 72 h,
1–3 weeks, 4–12 weeks, 13–24 weeks after the last treatment), counted from the episode's end of
course and made contiguous so no score falls between two windows (a score on day 5 counts in
"1–3 weeks"; day 25 too). Whole seconds decide the edges: the first window includes 0 and 72 h;
each later one excludes its start and includes its end. Nothing here knows Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Window:
    key: str
    label: str
    start: timedelta  # after the end of the course, exclusive (inclusive for the first)
    end: timedelta  # inclusive
    evidence_id: str


WINDOWS = (
    Window("72h", "≤ 72 hours", timedelta(0), timedelta(hours=72), "si2021_72h"),
    Window("1_3w", "1–3 weeks", timedelta(hours=72), timedelta(days=28), "si2021_1_3w"),
    Window("4_12w", "4–12 weeks", timedelta(days=28), timedelta(days=91), "si2021_4_12w"),
    Window("13_24w", "13–24 weeks", timedelta(days=91), timedelta(days=175), "si2021_13_24w"),
)


def window_of(recorded_at: datetime | None, course_completed_at: datetime | None) -> str:
    """The key of the window a score recorded at `recorded_at` falls in ("" for none: before the
    end of the course, after the last window, or no end of course yet)."""
    if recorded_at is None or course_completed_at is None:
        return ""
    exact = (recorded_at - course_completed_at).total_seconds()
    seconds = math.floor(exact + 0.5) if exact >= 0 else -math.floor(-exact + 0.5)  # half away from zero
    for index, window in enumerate(WINDOWS):
        low, high = int(window.start.total_seconds()), int(window.end.total_seconds())
        if (seconds >= low if index == 0 else seconds > low) and seconds <= high:
            return window.key
    return ""
