"""Pain and function over time as an SVG (matplotlib), with the MCID band."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

matplotlib.rcParams["svg.hashsalt"] = "dryneedling"  # stable ids: same data, same SVG
matplotlib.rcParams["svg.fonttype"] = "none"


def outcome_chart_svg(
    *,
    pain: Sequence[tuple[datetime, float]],
    function: Sequence[tuple[datetime, float]],
    function_label: str,
    pain_mcid: float | None,
    events: Sequence[tuple[datetime, str]],
    sessions: Sequence[datetime],
) -> str:
    """Two panels: pain NRS (with the band of change smaller than the MCID below the first
    value) and the function measure; session days as ticks, side effects as markers."""
    fig, (ax_pain, ax_fn) = plt.subplots(2, 1, figsize=(7, 4.6), sharex=True, constrained_layout=True)
    try:
        if pain:
            dates, values = zip(*pain, strict=True)
            ax_pain.plot(dates, values, marker="o", color="#b3261e", label="Pain (NRS 0-10)")
            if pain_mcid:
                baseline = values[0]
                ax_pain.axhspan(
                    max(0, baseline - pain_mcid),
                    baseline,
                    color="#f4b4a8",
                    alpha=0.45,
                    label=f"Change smaller than the MCID ({pain_mcid:g})",
                )
        for when in sessions:
            ax_pain.axvline(when, color="#0b6e69", alpha=0.25, linewidth=1)
        for index, (when, _label) in enumerate(events):
            ax_pain.plot(
                [when],
                [9.6],
                marker="v",
                color="#a15c00",
                linestyle="none",
                label="Side effect (clinic or patient)" if index == 0 else None,
            )
        ax_pain.set_ylim(0, 10.5)
        ax_pain.set_ylabel("Pain")
        if ax_pain.get_legend_handles_labels()[0]:
            ax_pain.legend(loc="lower left", fontsize=7, frameon=False)
        if function:
            dates, values = zip(*function, strict=True)
            ax_fn.plot(dates, values, marker="s", color="#1565c0", label=function_label)
            ax_fn.legend(loc="lower left", fontsize=7, frameon=False)
        ax_fn.set_ylabel("Function")
        ax_fn.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
        fig.autofmt_xdate()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()
    finally:
        plt.close(fig)
