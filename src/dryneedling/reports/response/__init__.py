"""What predicts response (issue 12): responder rates by baseline pain, trigger points, technique,
twitch responses and sessions; a multivariable logistic model as a forest plot; time to the first
MCID response by condition. For clinic admins and clinicians (`ANALYTICS`).

`features` reads one row per treated episode in one query; `figures` computes the statistics
(clinical.stats) on those rows; `tables` gives the numbers behind each chart and its text
alternative; `charts` draws the SVGs. The selectors below check the capability and scope to the
actor's clinic."""

from __future__ import annotations

from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import ANALYTICS, require
from dryneedling.reports.response.features import EpisodeFeatures, episode_features
from dryneedling.reports.response.figures import ResponseFigures, response_figures
from dryneedling.reports.response.tables import CHARTS, Table, tables


def response_figures_for(*, actor: User, chart: str | None = None) -> ResponseFigures:
    """The figures of the actor's clinic (PermissionDenied, in words, for roles without ANALYTICS);
    with `chart`, only what that chart needs."""
    membership = require(actor=actor, capability=ANALYTICS)
    rows = episode_features(clinic_id=membership.clinic_id)
    return response_figures(rows, frozenset({chart}) if chart else frozenset(CHARTS))


def chart_svg(*, figures: ResponseFigures, chart: str) -> str:
    from dryneedling.reports.response.charts import SVGS  # matplotlib only where a chart is drawn

    return SVGS[chart](figures)


__all__ = [
    "CHARTS",
    "EpisodeFeatures",
    "ResponseFigures",
    "Table",
    "chart_svg",
    "episode_features",
    "response_figures",
    "response_figures_for",
    "tables",
]
