"""Every outcome score of an episode over time as an SVG (matplotlib): one panel per instrument
recorded, scores of one day grouped on that day, answer anchors in words, the MCID band on pain.

With no score at all the chart is a short SVG saying "No scores yet" (no empty date axis)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from statistics import fmean

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

matplotlib.rcParams["svg.hashsalt"] = "dryneedling"  # stable ids: same data, same SVG
matplotlib.rcParams["svg.fonttype"] = "none"

NO_SCORES = "No scores yet: scores appear here once a check-in is answered or a score is recorded."
COLOURS = ("#b3261e", "#1565c0", "#2e7d32", "#6a1b9a", "#a15c00", "#00838f", "#4e342e")


@dataclass(frozen=True)
class Series:
    """One instrument's scores: ``points`` as (day, the scores of that day); ``anchors`` are answer
    values with their words (drawn as the y-axis labels); ``mcid`` draws the band of change smaller
    than it below the first day's score."""

    label: str
    points: Sequence[tuple[date, Sequence[float]]]
    y_range: tuple[float, float]
    anchors: Mapping[float, str] = field(default_factory=dict)
    mcid: float | None = None


def group_by_day(scores: Sequence[tuple[date, float]]) -> list[tuple[date, list[float]]]:
    """Scores of the same day together, days in order (a check-in and a clinic score of one day,
    a before and an after score of one session, stay on that one day)."""
    days: dict[date, list[float]] = {}
    for day, value in sorted(scores, key=lambda row: row[0]):
        days.setdefault(day, []).append(value)
    return list(days.items())


def _empty_svg() -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="700" height="60" viewBox="0 0 700 60" role="img">'
        f'<text x="10" y="35" font-family="sans-serif" font-size="15" fill="#555">{escape(NO_SCORES)}</text></svg>'
    )


def _panel(ax, series: Series, colour: str, sessions: Sequence[datetime]) -> None:  # type: ignore[no-untyped-def]
    days = [day for day, _ in series.points]
    means = [fmean(values) for _, values in series.points]
    ax.plot(days, means, color=colour, linewidth=1.2, label=series.label)
    for day, values in series.points:
        ax.plot([day] * len(values), values, marker="o", color=colour, linestyle="none", markersize=4)
        if len(values) > 1:
            ax.annotate(
                f"{len(values)} scores", (day, max(values)), fontsize=6, xytext=(3, 3), textcoords="offset points"
            )
    if series.mcid and means:
        baseline = means[0]  # the first day's score (its mean when that day has several), as the line draws it
        lo, _hi = series.y_range
        ax.axhspan(
            max(lo, baseline - series.mcid),
            baseline,
            color="#f4b4a8",
            alpha=0.45,
            label=f"Change smaller than the MCID ({series.mcid:g})",
        )
    for when in sessions:
        ax.axvline(when, color="#0b6e69", alpha=0.25, linewidth=1)
    lo, hi = series.y_range
    pad = (hi - lo) * 0.05
    ax.set_ylim(lo - pad, hi + pad)
    if series.anchors:
        ax.set_yticks(
            list(series.anchors),
            [f"{v:+g} {w}" if v > 0 and lo < 0 else f"{v:g} {w}" for v, w in series.anchors.items()],
            fontsize=6,
        )
    ax.legend(loc="lower left", fontsize=7, frameon=False)


def outcome_chart_svg(
    *,
    series: Sequence[Series],
    events: Sequence[tuple[datetime, str]],
    sessions: Sequence[datetime],
) -> str:
    """One panel per series with scores (in the order given); session days as lines, side effects
    as markers on the first panel."""
    drawn = [s for s in series if s.points]
    if not drawn:
        return _empty_svg()
    fig, axes = plt.subplots(
        len(drawn), 1, figsize=(7, 0.6 + 1.8 * len(drawn)), sharex=True, constrained_layout=True, squeeze=False
    )
    try:
        for index, (ax, one) in enumerate(zip(axes[:, 0], drawn, strict=True)):
            _panel(ax, one, COLOURS[index % len(COLOURS)], sessions)
        first = axes[0, 0]
        top = drawn[0].y_range[1]
        for index, (when, _label) in enumerate(events):
            first.plot(
                [when],
                [top],
                marker="v",
                color="#a15c00",
                linestyle="none",
                label="Side effect (clinic or patient)" if index == 0 else None,
            )
        if events:
            first.legend(loc="lower left", fontsize=7, frameon=False)
        axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
        fig.autofmt_xdate()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()
    finally:
        plt.close(fig)
