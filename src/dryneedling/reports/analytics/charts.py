"""The dashboard's charts as SVG (matplotlib, Agg), each carrying its text alternative as the SVG's
<title> and <desc> (the page also gives it as the image's alt text, beside a table of the same
numbers). Drawn from the selectors' results only: no query here."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from html import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from dryneedling.reports.analytics.outcomes import ResponseRate, WindowOutcome  # noqa: E402
from dryneedling.reports.analytics.safety import RateRow, SafetyMonitor  # noqa: E402
from dryneedling.reports.analytics.soreness import SorenessFigures  # noqa: E402

matplotlib.rcParams["svg.hashsalt"] = "dryneedling"
matplotlib.rcParams["svg.fonttype"] = "none"

TEAL, RED, GREY, AMBER = "#0b6e69", "#b3261e", "#555555", "#a15c00"


def _svg(fig, title: str, desc: str) -> str:  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    try:
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    svg = buffer.getvalue()
    alt = f'<title id="t">{escape(title)}</title><desc>{escape(desc)}</desc>'
    return re.sub(r"(<svg[^>]*?)>", rf'\1 role="img" aria-labelledby="t">{alt}', svg, count=1)


def _empty(title: str, text: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="700" height="60" viewBox="0 0 700 60" role="img">'
        f"<title>{escape(title)}</title><desc>{escape(text)}</desc>"
        f'<text x="10" y="35" font-family="sans-serif" font-size="15" fill="#555">{escape(text)}</text></svg>'
    )


def _err(estimate: float, low: float | None, high: float | None) -> tuple[float, float]:
    return (estimate - (low if low is not None else estimate), (high if high is not None else estimate) - estimate)


def outcomes_svg(rows: Sequence[WindowOutcome]) -> str:
    title = "Outcomes by time window after the course"
    drawn = [r for r in rows if r.change.estimate is not None or r.responder_rate.estimate is not None]
    if not drawn:
        return _empty(title, "No pain scores after a completed course yet.")
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3), constrained_layout=True)
    labels = [r.window.label for r in rows]
    for i, r in enumerate(rows):
        if r.change.estimate is not None:
            e = _err(r.change.estimate, r.change.low, r.change.high)
            left.errorbar([i], [r.change.estimate], yerr=[[e[0]], [e[1]]], fmt="o", color=TEAL, capsize=4)
        rate = r.responder_rate
        if rate.estimate is not None:
            e = _err(rate.estimate * 100, (rate.low or 0) * 100, (rate.high or 0) * 100)
            right.errorbar([i], [rate.estimate * 100], yerr=[[e[0]], [e[1]]], fmt="s", color=AMBER, capsize=4)
    for ax, label in ((left, "Mean change in pain, NPRS points (95% CI)"), (right, "Responders, % (95% CI)")):
        ax.set_xticks(range(len(rows)), labels, fontsize=7)
        ax.set_xlim(-0.5, len(rows) - 0.5)
        ax.set_title(label, fontsize=8)
    left.axhline(0, color=GREY, linewidth=0.8)
    right.set_ylim(0, 100)
    desc = "; ".join(
        f"{r.window.label}: {r.scores} scores, mean change {_num(r.change.estimate)}, "
        f"responders {_pct(r.responder_rate.estimate)}"
        for r in rows
    )
    return _svg(fig, title, desc)


def side_effects_svg(rows: Sequence[RateRow]) -> str:
    title = "Side effects per session, with published rates"
    per_session = [r for r in rows if r.per == "session" and r.rate.estimate is not None]
    if not per_session:
        return _empty(title, "No completed sessions in this selection.")
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.32 * len(per_session)), constrained_layout=True)
    for y, r in enumerate(per_session):
        est = (r.rate.estimate or 0) * 100
        e = _err(est, (r.rate.low or 0) * 100, (r.rate.high or 0) * 100)
        ax.errorbar([est], [y], xerr=[[e[0]], [e[1]]], fmt="o", color=TEAL, capsize=3)
        for p in r.published:
            if p.value is not None:
                marker = "D" if p.source_id == "brady_2014" else "^"
                ax.plot([p.value], [y], marker=marker, color=AMBER if marker == "D" else RED, linestyle="none")
    ax.set_yticks(range(len(per_session)), [r.label for r in per_session], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("% of sessions (clinic: circle with 95% CI; Brady 2014: diamond; Boyce 2020: triangle)", fontsize=7)
    desc = "; ".join(f"{r.label}: {r.events} of {r.n} sessions ({_pct(r.rate.estimate)})" for r in per_session)
    return _svg(fig, title, desc)


def funnel_svg(monitor: SafetyMonitor) -> str:
    title = "Funnel plot: each clinician's sessions with a side effect against the clinic's rate"
    if monitor.clinic_rate is None or not monitor.funnel:
        return _empty(title, "No completed sessions in this selection.")
    fig, ax = plt.subplots(figsize=(8, 4), constrained_layout=True)
    ns = [f.n for f in monitor.funnel]
    for level, style in ((0.95, "--"), (0.998, "-")):
        ax.plot(ns, [f.limits[level][0] * 100 for f in monitor.funnel], style, color=GREY, linewidth=0.9)
        ax.plot(ns, [f.limits[level][1] * 100 for f in monitor.funnel], style, color=GREY, linewidth=0.9,
                label=f"{level * 100:g}% limits")  # fmt: skip
    ax.axhline(monitor.clinic_rate * 100, color=TEAL, linewidth=1, label="Clinic rate")
    for one in monitor.clinicians:
        colour = RED if one.position.startswith("above") else TEAL
        ax.plot([one.sessions], [(one.rate.estimate or 0) * 100], "o", color=colour)
        ax.annotate(one.name, (one.sessions, (one.rate.estimate or 0) * 100), fontsize=6, xytext=(3, 3),
                    textcoords="offset points")  # fmt: skip
    ax.set_xlabel("Completed sessions", fontsize=8)
    ax.set_ylabel("% of sessions with a side effect", fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    desc = f"Clinic rate {_pct(monitor.clinic_rate)}. " + "; ".join(
        f"{c.name}: {c.with_effect} of {c.sessions} ({_pct(c.rate.estimate)}), {c.position}" for c in monitor.clinicians
    )
    return _svg(fig, title, desc)


def cusum_svg(monitor: SafetyMonitor) -> str:
    title = "CUSUM of serious side effects per clinician"
    charts = [c for c in monitor.clinicians if c.cusum is not None and c.cusum.values]
    if not charts:
        return _empty(title, "No completed sessions in this selection.")
    fig, ax = plt.subplots(figsize=(8, 3.5), constrained_layout=True)
    limit = charts[0].cusum.limit if charts[0].cusum else 0
    for index, one in enumerate(charts):
        assert one.cusum is not None
        ax.plot(one.cusum.cases, one.cusum.values, linewidth=1, label=one.name, color=plt.cm.tab10(index % 10))
        for signal, value in zip(one.cusum.signals, one.cusum.signal_values, strict=True):
            ax.plot([signal + 1], [value], "v", color=RED)
    ax.axhline(limit, color=RED, linestyle="--", linewidth=1, label=f"Limit h = {limit:g}")
    ax.set_xlabel("The clinician's completed sessions, in order", fontsize=8)
    ax.set_ylabel("CUSUM", fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    desc = "; ".join(
        f"{c.name}: {c.serious} serious in {c.sessions} sessions, "
        + (f"crossed the limit {len(c.cusum.signals)} time(s)" if c.cusum and c.cusum.signals else "below the limit")
        for c in charts
    )
    return _svg(fig, title, desc)


def check_ins_svg(rows: Sequence[ResponseRate]) -> str:
    title = "Check-in response rates"
    if not any(r.due for r in rows):
        return _empty(title, "No check-ins due yet in this selection.")
    fig, ax = plt.subplots(figsize=(8, 2.6), constrained_layout=True)
    for i, r in enumerate(rows):
        if r.rate.estimate is not None:
            est = r.rate.estimate * 100
            e = _err(est, (r.rate.low or 0) * 100, (r.rate.high or 0) * 100)
            ax.bar([i], [est], color=TEAL, alpha=0.7)
            ax.errorbar([i], [est], yerr=[[e[0]], [e[1]]], fmt="none", color=GREY, capsize=4)
    ax.set_xticks(range(len(rows)), [r.label for r in rows], fontsize=7)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% answered (95% CI)", fontsize=8)
    desc = "; ".join(f"{r.label}: {r.answered} of {r.due} answered" for r in rows)
    return _svg(fig, title, desc)


def soreness_svg(figures: SorenessFigures) -> str:
    title = "Soreness after needling, by technique"
    if not figures.readings:
        return _empty(title, "No soreness readings yet in this selection.")
    fig, ax = plt.subplots(figsize=(8, 3), constrained_layout=True)
    colours = {"pistoning": TEAL, "static": AMBER, "electrical": RED}
    described = []
    for technique in dict.fromkeys(r.technique for r in figures.rows):
        rows = [r for r in figures.rows if r.technique == technique and r.mean.estimate is not None]
        if not rows:
            continue
        xs = [r.hours for r in rows]
        ys = [float(r.mean.estimate or 0) for r in rows]
        errs = [_err(float(r.mean.estimate or 0), r.mean.low, r.mean.high) for r in rows]
        offset = list(colours).index(technique) - 1 if technique in colours else 0
        ax.errorbar([x + offset for x in xs], ys, yerr=[[e[0] for e in errs], [e[1] for e in errs]],
                    marker="o", capsize=3, color=colours.get(technique, GREY), label=rows[0].label)  # fmt: skip
        described.append(
            f"{rows[0].label}: " + ", ".join(f"{r.hours} h mean {r.mean.estimate:.1f} (n={r.readings})" for r in rows)
        )
    ax.set_xticks([0, 24, 48, 72], ["0 h", "24 h", "48 h", "72 h"])
    ax.set_ylim(0, 10)
    ax.set_ylabel("Soreness 0-10 (mean, 95% CI)", fontsize=8)
    ax.legend(fontsize=7)
    return _svg(fig, title, "; ".join(described))


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
