"""What the reports keep: the clinic's last computed "What predicts response" and dashboard figures
(issue 12).

Those figures need one row of features per treated episode; at 100,000 patients that read takes
tens of seconds, far over the page's one-second budget. They are computed by the periodic job
(and on demand) and stored here; the page reads the stored figures and says when they were
computed (docs/decisions.md, "issue 12 — stored response figures"). Aggregates only: counts,
rates, odds ratios and survival tables, no patient data.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from dryneedling.accounts.models import Clinic


class ResponseSnapshot(models.Model):
    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="response_snapshot")
    computed_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0.0)  # how long the computation took
    episodes = models.PositiveIntegerField(default=0)  # treated episodes behind the figures
    # The figures' layout (reports.response.snapshot.FORMAT): a stored set of another layout is recomputed.
    format = models.PositiveSmallIntegerField(default=1)
    figures = models.TextField()  # JSON of reports.response.figures.ResponseFigures

    def __str__(self) -> str:
        return f"response figures of clinic {self.clinic_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class DashboardSnapshot(models.Model):
    """The clinic dashboard's figures for one set of filters (issue 12 speed): at 100,000 patients its
    aggregates take seconds, so the page reads them from here while they are younger than
    ANALYTICS_FIGURES_MAX_AGE_MINUTES and says when they were computed. The periodic job keeps the
    whole-clinic and per-clinician sets fresh; other filters are computed on their first view."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="dashboard_snapshots")
    key = models.CharField(max_length=500)  # the filters, canonical JSON ("{}" = the whole clinic)
    computed_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0.0)
    format = models.PositiveSmallIntegerField(default=1)  # reports.analytics.stored.FORMAT
    figures = models.TextField()  # JSON of reports.analytics.dashboard.Figures
    # When someone last opened these figures (written at most every few minutes): the periodic job
    # keeps only sets viewed lately, and drops the others.
    viewed_at = models.DateTimeField(default=timezone.now)
    # A periodic run recomputing this set claims it until then, so overlapping runs do not repeat it.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "key"], name="one_dashboard_snapshot_per_filters")]

    def __str__(self) -> str:
        return f"dashboard figures of clinic {self.clinic_id} ({self.key}) at {self.computed_at:%Y-%m-%d %H:%M}"
