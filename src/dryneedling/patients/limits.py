"""How much one episode of care may hold. Real episodes carry a handful of diagnosis codes and a
few dozen findings; the limits stop a script (or a stuck key) from making a chart unreadable and
its page megabytes long (issue 9: 8,000 codes and 10,000 findings were accepted). See
docs/decisions.md, "Limits per episode"."""

from __future__ import annotations

MAX_CONDITIONS_PER_EPISODE = 20
MAX_FINDINGS_PER_EPISODE = 500
# The chart page lists and draws findings a page at a time, newest first.
CHART_FINDINGS_PAGE = 100


def too_many_conditions(count: int) -> str | None:
    if count <= MAX_CONDITIONS_PER_EPISODE:
        return None
    return (
        f"An episode holds at most {MAX_CONDITIONS_PER_EPISODE} diagnosis codes; this list has {count}. "
        "Keep the codes that describe this episode."
    )
