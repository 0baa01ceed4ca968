"""How often a clinic's staff may make the server compute analytics figures (issue 12): each
computation reads the clinic's whole record (seconds at 100,000 patients), so views that miss the
stored figures and Recompute presses count against the `analytics-compute` rate limit, per clinic.
Reading stored figures is never limited; the periodic job is never counted."""

from __future__ import annotations

from dryneedling.accounts.ratelimit import rate_limit_enforce


def computation_allowed(*, clinic_id: int) -> None:
    """Count one computation for the clinic; RateLimited (accounts.ratelimit) when over the limit."""
    rate_limit_enforce(scope="analytics-compute", key=f"clinic:{clinic_id}")
