"""Soreness after needling (issue 12): the mean 0-10 soreness at 0, 24, 48 and 72 h per session,
with a t interval, by the session's technique. One SQL aggregate.

A session's technique is the one used for most of its points (ties: the first in the order
pistoning, static, electrical), stored on the session as its points are recorded
(`Session.main_technique`) and copied onto its readings (`SorenessReading.technique`), so a session
counts once and, unfiltered, one covering index answers (no join, no insertion read here). The
readings are those of `followup.SorenessReading` (issue 11); the window and its sources are
`clinical.soreness`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F

from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.soreness import READING_HOURS, SOURCES
from dryneedling.clinical.stats import Interval, mean_interval_from_summary
from dryneedling.followup.models import SorenessReading
from dryneedling.reports.analytics.filters import Filters, session_q
from dryneedling.reports.analytics.outcomes import sample_sd
from dryneedling.treatment.models import Technique


@dataclass(frozen=True)
class SorenessRow:
    technique: str
    label: str
    hours: int
    readings: int
    mean: Interval


@dataclass(frozen=True)
class SorenessFigures:
    rows: list[SorenessRow]
    sources: list[str]

    @property
    def readings(self) -> int:
        return sum(r.readings for r in self.rows)


def soreness_by_technique(filters: Filters) -> SorenessFigures:
    rows = (
        SorenessReading.objects.for_clinic(filters.clinic)
        .filter(session_q(filters, "session__"))
        .values("technique", "hours")
        .annotate(n=Count("id"), mean=Avg("score"), mean_sq=Avg(F("score") * F("score")))
        .order_by()
    )
    found: dict[tuple[str, int], dict[str, Any]] = {(r["technique"], r["hours"]): r for r in rows}
    result = []
    for technique, label in Technique.choices:
        if not any((technique, h) in found for h in READING_HOURS):
            continue
        for hours in READING_HOURS:
            row = found.get((technique, hours), {"n": 0})
            n = row["n"]
            mean = row.get("mean")
            result.append(
                SorenessRow(
                    technique,
                    str(label),
                    hours,
                    n,
                    mean_interval_from_summary(n, None if mean is None else float(mean), sample_sd(n, row)),
                )
            )
    sources = get_knowledge().sources
    return SorenessFigures(result, [sources[s].citation for s in SOURCES if s in sources])
