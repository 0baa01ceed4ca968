"""Every outcome score of an episode over time as an SVG: one panel per instrument recorded, scores
of one day grouped on that day, answer anchors in words, the MCID band on pain.

Drawn by hand from the data (issue 14): matplotlib took ~450 ms a chart (and ~1 s to import) on
every patient page; this takes about a millisecond, draws with attributes only (no style) and
names every point in a <title>. With no score at all the chart is a short SVG saying "No scores yet"
(no empty date axis)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from statistics import fmean

NO_SCORES = "No scores yet: scores appear here once a check-in is answered or a score is recorded."
COLOURS = ("#b3261e", "#1565c0", "#2e7d32", "#6a1b9a", "#a15c00", "#00838f", "#4e342e")
SESSION_COLOUR = "#0b6e69"
EVENT_COLOUR = "#a15c00"
BAND_COLOUR = "#f4b4a8"
WIDTH, LEFT, RIGHT = 700, 150, 20  # the plot spans LEFT .. WIDTH - RIGHT
LEGEND, PLOT, GAP, AXIS = 30, 110, 14, 44  # a panel: its legend line, then its plot; the date axis
TICKS = 6


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


def _day(value: date | datetime) -> float:
    """A position on the time axis in days; a datetime (already in the clinic's zone) keeps its hour."""
    if isinstance(value, datetime):
        return value.toordinal() + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return float(value.toordinal())


def _text(x: float, y: float, words: str, *, size: int = 9, anchor: str = "start", fill: str = "#222") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">{escape(words)}</text>'
    )


class _Axes:
    """Maps days and scores of one panel to pixels."""

    def __init__(self, *, first: float, last: float, top: float, y_range: tuple[float, float]) -> None:
        self.first, self.span = first, max(last - first, 1e-9)
        lo, hi = y_range
        pad = (hi - lo) * 0.05
        self.lo, self.hi, self.top = lo - pad, hi + pad, top

    def x(self, day: float) -> float:
        return LEFT + (day - self.first) / self.span * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        return self.top + (self.hi - value) / (self.hi - self.lo) * PLOT


def _y_ticks(series: Series) -> list[tuple[float, str]]:
    lo, hi = series.y_range
    if series.anchors:
        return [(v, f"{v:+g} {w}" if v > 0 and lo < 0 else f"{v:g} {w}") for v, w in series.anchors.items()]
    return [(v, f"{v:g}") for v in (lo, (lo + hi) / 2, hi)]


def _legend(y: float, entries: Sequence[tuple[str, str]]) -> list[str]:
    """Legend entries (swatch kind and colour, words) above the panel; a line that would run past
    the plot's right edge continues on the line above."""
    out, x = [], float(LEFT)
    for swatch, words in entries:
        needed = 30 + 4.8 * len(words)
        if x > LEFT and x + needed > WIDTH - RIGHT:
            x, y = float(LEFT), y - 12
        kind, colour = swatch.split(":")
        if kind == "line":
            out.append(f'<line x1="{x:.1f}" y1="{y - 3:.1f}" x2="{x + 16:.1f}" y2="{y - 3:.1f}"')
            out.append(f' stroke="{colour}" stroke-width="2"/>')
        elif kind == "band":
            out.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="16" height="9" fill="{colour}" fill-opacity="0.45"/>')
        else:
            out.append(f'<path d="M{x + 3:.1f},{y - 8:.1f} h10 l-5,9 z" fill="{colour}"/>')
        out.append(_text(x + 20, y, words))
        x += needed
    return out


def _panel(
    series: Series,
    colour: str,
    axes: _Axes,
    sessions: Sequence[float],
    events: Sequence[tuple[float, str]],
) -> list[str]:
    top = axes.top
    means = [fmean(values) for _, values in series.points]
    legend = [(f"line:{colour}", series.label)]
    width = WIDTH - LEFT - RIGHT
    out: list[str] = [f'<rect x="{LEFT}" y="{top}" width="{width}" height="{PLOT}" fill="none" stroke="#999"/>']
    if series.mcid and means:
        baseline = means[0]  # the first day's score (its mean when that day has several), as the line draws it
        floor = max(series.y_range[0], baseline - series.mcid)
        out.append(
            f'<rect x="{LEFT}" y="{axes.y(baseline):.1f}" width="{width}"'
            f' height="{axes.y(floor) - axes.y(baseline):.1f}" fill="{BAND_COLOUR}" fill-opacity="0.45"/>'
        )
        legend.append((f"band:{BAND_COLOUR}", f"Change smaller than the MCID ({series.mcid:g})"))
    for value, words in _y_ticks(series):
        y = axes.y(value)
        out.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{LEFT}" y2="{y:.1f}" stroke="#555"/>')
        out.append(_text(LEFT - 6, y + 3, words, size=8, anchor="end"))
    for when in sessions:
        x = axes.x(when)
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + PLOT}"'
            f' stroke="{SESSION_COLOUR}" stroke-opacity="0.25"/>'
        )
    line = " ".join(
        f"{axes.x(_day(day)):.1f},{axes.y(mean):.1f}" for (day, _), mean in zip(series.points, means, strict=True)
    )
    out.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    for day, values in series.points:
        x = axes.x(_day(day))
        for value in values:
            out.append(
                f'<circle cx="{x:.1f}" cy="{axes.y(value):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(series.label)}: {value:g} on {day:%Y-%m-%d}</title></circle>"
            )
        if len(values) > 1:
            out.append(_text(x + 4, axes.y(max(values)) - 4, f"{len(values)} scores", size=7))
    if events:
        for when, name in events:
            x, y = axes.x(when), axes.y(series.y_range[1])
            out.append(
                f'<path d="M{x - 5:.1f},{y - 5:.1f} h10 l-5,8 z" fill="{EVENT_COLOUR}">'
                f"<title>{escape(name)}</title></path>"
            )
        legend.append((f"marker:{EVENT_COLOUR}", "Side effect (clinic or patient)"))
    return _legend(top - 8, legend) + out


def _date_axis(first: float, last: float, y: float) -> list[str]:
    axes = _Axes(first=first, last=last, top=0, y_range=(0, 1))
    out = []
    for index in range(TICKS):
        day = first + (last - first) * index / (TICKS - 1)
        x = axes.x(day)
        out.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 4}" stroke="#555"/>')
        label = date.fromordinal(int(day)).isoformat()
        out.append(
            f'<text x="{x:.1f}" y="{y + 14}" font-size="9" text-anchor="end" fill="#222"'
            f' transform="rotate(-30 {x:.1f} {y + 14})">{label}</text>'
        )
    return out


def outcome_chart_svg(
    *,
    series: Sequence[Series],
    events: Sequence[tuple[date | datetime, str]],
    sessions: Sequence[date | datetime],
) -> str:
    """One panel per series with scores (in the order given); session days as lines, side effects
    as markers on the first panel. Datetimes are drawn as given: pass them in the clinic's zone."""
    drawn = [s for s in series if s.points]
    if not drawn:
        return _empty_svg()
    days = [_day(day) for s in drawn for day, _ in s.points]
    session_days = [_day(when) for when in sessions]
    event_days = [(_day(when), name) for when, name in events]
    first = min([*days, *session_days, *(d for d, _ in event_days)])
    last = max([*days, *session_days, *(d for d, _ in event_days)])
    pad = max((last - first) * 0.03, 1.0)
    first, last = first - pad, last + pad
    height = len(drawn) * (LEGEND + PLOT + GAP) + AXIS
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}"'
        ' role="img" font-family="sans-serif">',
        f"<title>Outcome scores over time: {escape(', '.join(s.label for s in drawn))}</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
    ]
    for index, one in enumerate(drawn):
        top = index * (LEGEND + PLOT + GAP) + LEGEND
        axes = _Axes(first=first, last=last, top=top, y_range=one.y_range)
        out += _panel(one, COLOURS[index % len(COLOURS)], axes, session_days, event_days if index == 0 else [])
    out += _date_axis(first, last, len(drawn) * (LEGEND + PLOT + GAP) - GAP)
    out.append("</svg>")
    return "\n".join(out)
