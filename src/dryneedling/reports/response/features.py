"""One row of features per treated episode, read in ONE query: every figure of "What predicts
response" is computed from these rows (docs/decisions.md, "issue 12 — what predicts response").

Each feature is a correlated subquery of the episode row (Subquery over the episode's outcome
records, findings, sessions and insertions, with Count/Sum/Min/Max), so nothing joins the
episode's sessions against its insertions and its scores at once (no row multiplication), and
the number of queries does not grow with the number of episodes. Ids and numbers only: no names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, IntegerField, JSONField, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from dryneedling.followup.models import CheckIn, OutcomeRecord
from dryneedling.patients.models import Episode, EpisodeCondition
from dryneedling.treatment.models import Finding, Insertion, Session, Technique

PAIN = "nprs"  # the instrument the response and the baseline bands are read on
# The pooled evidence's 4–12-week window (Sánchez-Infante 2021): a score whose stored window
# (`OutcomeRecord.window`, from the end of the course) is 4–12 weeks, whether from a check-in or
# entered by the clinician at a visit, as on the dashboard; a week-12 check-in answered at 16 weeks
# is not. Only a score without a stored window (its episode's course has no end yet) falls back on
# its check-in: week 4 or week 12, which the schedule places in the window. With several, the last.
WINDOW_KINDS = (CheckIn.Kind.WEEK_4, CheckIn.Kind.WEEK_12)
WINDOW_KEY = "4_12w"
TECHNIQUES = tuple(t.value for t in Technique)


@dataclass(frozen=True)
class EpisodeFeatures:
    episode_id: int
    baseline_pain: float | None
    window_verdict: dict[str, Any] | None  # the last 4–12-week NPRS verdict (None: no such score)
    trigger_points: int
    sessions: int
    twitches: int
    techniques: dict[str, int]  # insertions per technique
    first_session_at: datetime | None
    first_response_at: datetime | None
    last_verdict_at: datetime | None
    condition_code: str
    condition_text: str

    @property
    def responder(self) -> bool | None:
        """The stored verdict of the 4–12-week score; None when the episode has none."""
        if not self.window_verdict or "responder" not in self.window_verdict:
            return None
        return bool(self.window_verdict["responder"])

    @property
    def technique(self) -> str:
        """The technique of most of the episode's insertions (ties: in the order pistoning, static,
        electrical); "" when nothing was needled."""
        if not any(self.techniques.values()):
            return ""
        return max(TECHNIQUES, key=lambda t: (self.techniques.get(t, 0), -TECHNIQUES.index(t)))


def _count(queryset: Any, episode: str = "episode") -> Coalesce:
    """COUNT of a queryset correlated with the outer episode, as a scalar subquery (0 when none):
    grouped by the episode, so the subquery yields one row."""
    grouped = queryset.order_by().values(episode).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(grouped, output_field=IntegerField()), 0)


def episode_features(*, clinic_id: int) -> list[EpisodeFeatures]:
    """Every episode of the clinic with at least one completed session, with its features.

    The subqueries are correlated with the episode rows, which are scoped to the clinic, so they
    carry no clinic filter of their own: with one, the planner may walk the clinic's index (every
    session of the clinic for each episode) instead of the episode's."""
    pain = OutcomeRecord.objects.filter(episode=OuterRef("pk"), instrument_id=PAIN)
    judged = pain.filter(verdict__isnull=False)
    sessions = Session.objects.filter(episode=OuterRef("pk"), status=Session.Status.COMPLETED)
    insertions = Insertion.objects.filter(session__episode=OuterRef("pk"), session__status=Session.Status.COMPLETED)
    findings = Finding.objects.filter(episode=OuterRef("pk"))
    per_session = insertions.order_by().values("session_id").annotate(n=Count("pk")).order_by("-n").values("n")[:1]
    first_code = EpisodeCondition.objects.filter(episode=OuterRef("pk")).order_by("position", "pk")
    rows = (
        Episode.objects.for_clinic(clinic_id)
        .annotate(
            n_sessions=_count(sessions),
            baseline_pain=Subquery(pain.order_by("recorded_at", "pk").values("value")[:1]),
            window_verdict=Subquery(
                judged.filter(Q(window=WINDOW_KEY) | Q(window="", check_in__kind__in=WINDOW_KINDS))
                .order_by("-recorded_at", "-pk")
                .values("verdict")[:1],
                output_field=JSONField(),
            ),
            n_findings=_count(findings),
            most_in_a_session=Coalesce(Subquery(per_session, output_field=IntegerField()), 0),
            twitches=Coalesce(
                Subquery(
                    insertions.order_by().values("session__episode").annotate(t=Sum("twitch_count")).values("t")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            **{
                f"technique_{t}": _count(insertions.filter(technique=t), "session__episode")  # one COUNT per technique
                for t in TECHNIQUES
            },
            first_session_at=Subquery(
                sessions.order_by().values("episode").annotate(m=Min("started_at")).values("m")[:1]
            ),
            first_response_at=Subquery(
                judged.filter(verdict__responder=True).order_by("recorded_at", "pk").values("recorded_at")[:1]
            ),
            last_verdict_at=Subquery(
                judged.order_by().values("episode").annotate(m=Max("recorded_at")).values("m")[:1]
            ),
            condition_code=Subquery(first_code.values("code")[:1]),
            condition_text=Subquery(first_code.values("text")[:1]),
        )
        .filter(n_sessions__gt=0)
        .order_by("pk")
        .values(
            "pk",
            "n_sessions",
            "baseline_pain",
            "window_verdict",
            "n_findings",
            "most_in_a_session",
            "twitches",
            *(f"technique_{t}" for t in TECHNIQUES),
            "first_session_at",
            "first_response_at",
            "last_verdict_at",
            "condition_code",
            "condition_text",
        )
    )
    return [_row(r) for r in rows]


def _row(r: dict[str, Any]) -> EpisodeFeatures:
    verdict = r["window_verdict"]
    if isinstance(verdict, str):  # a JSON subquery comes back as text on some backends
        verdict = json.loads(verdict)
    return EpisodeFeatures(
        episode_id=r["pk"],
        baseline_pain=r["baseline_pain"],
        window_verdict=verdict if isinstance(verdict, dict) else None,
        # Trigger points treated: the points charted for the episode; without a chart, the most
        # points needled in one session.
        trigger_points=int(r["n_findings"] or r["most_in_a_session"] or 0),
        sessions=int(r["n_sessions"]),
        twitches=int(r["twitches"] or 0),
        techniques={t: int(r[f"technique_{t}"] or 0) for t in TECHNIQUES},
        first_session_at=r["first_session_at"],
        first_response_at=r["first_response_at"],
        last_verdict_at=r["last_verdict_at"],
        condition_code=r["condition_code"] or "",
        condition_text=r["condition_text"] or "",
    )
