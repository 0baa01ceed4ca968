"""How often a clinic's staff may make the server compute analytics figures (issue 12): each
computation reads the clinic's whole record (seconds at 100,000 patients), so views that miss the
stored figures and Recompute presses count against the `analytics-compute` rate limit, per clinic.
Reading stored figures is never limited; the periodic job is never counted."""

from __future__ import annotations

from dryneedling.accounts.ratelimit import Decision, rate_limit_hit


class TooManyComputations(Exception):  # noqa: N818 - a refusal, shown as a 429 page in words
    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


def computation_allowed(*, clinic_id: int) -> None:
    """Count one computation for the clinic; TooManyComputations when over the limit."""
    decision = rate_limit_hit(scope="analytics-compute", key=f"clinic:{clinic_id}")
    if not decision.allowed:
        raise TooManyComputations(decision)
