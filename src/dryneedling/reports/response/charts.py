"""The SVG charts of "What predicts response" (matplotlib, Agg): responder rates with their
intervals, the forest plot of the model's odds ratios, and Kaplan–Meier step curves. Each chart's
text alternative and numbers are in `tables`."""

from __future__ import annotations

import io
from html import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter  # noqa: E402

from dryneedling.reports.response.figures import ResponseFigures  # noqa: E402

matplotlib.rcParams["svg.hashsalt"] = "dryneedling"  # stable ids: same data, same SVG
matplotlib.rcParams["svg.fonttype"] = "none"
INK, ACCENT, GRID = "#1f2933", "#0b6e69", "#c9d2d9"
ODDS_TICKS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 10, 20, 100)
COLOURS = ("#0b6e69", "#b3261e", "#1565c0", "#6a1b9a", "#a15c00", "#4e342e")


def _message_svg(text: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="700" height="60" viewBox="0 0 700 60" role="img">'
        f'<text x="10" y="35" font-family="sans-serif" font-size="14" fill="#555">{escape(text)}</text></svg>'
    )


def _svg(fig) -> str:  # type: ignore[no-untyped-def]
    try:
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()
    finally:
        plt.close(fig)


def rates_svg(figures: ResponseFigures) -> str:
    """One line per group: the responder rate and its Wilson 95% interval, groups of a factor together."""
    rows = [r for r in figures.rates if r.n]
    if not rows:
        return _message_svg("No episode has a 4–12-week pain score with a verdict yet.")
    fig, ax = plt.subplots(figsize=(7, 0.9 + 0.32 * len(rows)), constrained_layout=True)
    factor_index = {f: i for i, f in enumerate(dict.fromkeys(r.factor for r in rows))}
    labels = []
    for y, row in enumerate(rows):
        interval = row.interval
        assert interval.estimate is not None and interval.low is not None and interval.high is not None
        colour = COLOURS[factor_index[row.factor] % len(COLOURS)]
        ax.plot([100 * interval.low, 100 * interval.high], [y, y], color=colour, linewidth=2)
        ax.plot([100 * interval.estimate], [y], marker="o", color=colour)
        labels.append(f"{row.factor}: {row.group} (n={row.n})")
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Responders, % (Wilson 95% CI)", fontsize=8)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    return _svg(fig)


def forest_svg(figures: ResponseFigures) -> str:
    """Odds ratios (log scale) with 95% intervals, the line of no association at 1."""
    model = figures.model
    if not model.fitted:
        return _message_svg("No model: " + " ".join(model.problems))
    terms = model.terms
    fig, ax = plt.subplots(figsize=(7, 1.1 + 0.42 * len(terms)), constrained_layout=True)
    for y, term in enumerate(terms):
        ax.plot([term.low, term.high], [y, y], color=ACCENT, linewidth=2)
        ax.plot([term.odds_ratio], [y], marker="s", color=ACCENT)
    ax.axvline(1.0, color=INK, linewidth=0.8, linestyle="--")
    ax.set_xscale("log")
    low, high = min(1.0, *(t.low for t in terms)) / 1.3, max(1.0, *(t.high for t in terms)) * 1.3
    ax.set_xlim(low, high)
    ax.xaxis.set_major_locator(FixedLocator([v for v in ODDS_TICKS if low <= v <= high]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(range(len(terms)), [t.name for t in terms], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(f"Odds ratio of response, 95% CI (n = {model.n}, {model.events} responders)", fontsize=8)
    ax.grid(axis="x", color=GRID, linewidth=0.6, which="both")
    return _svg(fig)


def time_svg(figures: ResponseFigures) -> str:
    """Share of episodes responded (1 − Kaplan–Meier) against days since the first session."""
    curves = [c for c in figures.curves if c.result.table]
    if not curves:
        return _message_svg("No episode has a pain score with a verdict yet.")
    fig, ax = plt.subplots(figsize=(7, 3.6), constrained_layout=True)
    for index, curve in enumerate(curves):
        times = [0.0] + [row.time for row in curve.result.table]
        responded = [0.0] + [100 * row.responded for row in curve.result.table]
        label = f"{curve.label} (n={curve.result.n})"
        ax.step(times, responded, where="post", color=COLOURS[index % len(COLOURS)], label=label)
    ax.set_ylim(0, 100)
    ax.set_xlabel("Days since the first session", fontsize=8)
    ax.set_ylabel("Responded, % (Kaplan–Meier)", fontsize=8)
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    ax.grid(color=GRID, linewidth=0.6)
    return _svg(fig)


SVGS = {"rates": rates_svg, "forest": forest_svg, "time-to-response": time_svg}
