"""Frozen objects of the outcome-measure catalogue and of its scores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Source

KINDS: tuple[str, ...] = ("pain", "sensitivity", "change", "function")
DIRECTIONS: tuple[str, ...] = ("higher_is_worse", "higher_is_better")
SCORINGS: tuple[str, ...] = ("single", "mean", "sum", "rescaled", "total_only")
"""``single``: the one item; ``mean``: mean of the answered items; ``sum``: sum prorated to all items
(sum x items / answered); ``rescaled``: (mean - item min) / (item max - item min) x 100 (ODI, QuickDASH,
FFI); ``total_only``: only a clinician-entered total is accepted."""
SCALES: tuple[str, ...] = ("value", "percent")
RULES: tuple[str, ...] = ("points", "relative")
"""How an MCID verdict is reached: ``points`` = an absolute change in score units; ``relative`` = a
percentage of the baseline's distance from the best score (e.g. NPRS 30 % reduction, Farrar 2001)."""


class NotScorable(ValueError):
    """Too many items are missing for the instrument's missing-item rule."""


@dataclass(frozen=True)
class Sourced:
    """A statement with its sources and evidence tag (missing-item rule, timing, responder threshold)."""

    text: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Threshold:
    """An MCID/MIC or MDC/SDC. ``value`` is in ``scale`` units; see :meth:`Instrument.in_score_units`."""

    id: str
    context: str
    value: float
    scale: str
    default: bool
    note: str | None
    sources: tuple[str, ...]
    evidence: str
    relative: float | None = None
    """The same source's relative alternative, in percent of baseline (NPRS and ODI 30 %); else ``None``."""


@dataclass(frozen=True)
class Loinc:
    code: str
    display: str
    note: str | None
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class ResponderThreshold:
    value: int
    note: str | None
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    item_count: tuple[int, int] | None
    """(fewest, most) items accepted; ``None`` for total-only instruments."""
    item_range: tuple[float, float] | None
    integer_items: bool
    scoring: str
    percent: bool
    """Whether a score also has a percent (0-100 % of the total range)."""
    total_range: tuple[float, float]
    unit: str
    direction: str
    max_missing: int
    missing_rule: Sourced
    reproduce_items: bool
    licence: str
    item_text: tuple[str, ...]
    """Item or prompt wording, only where the licence allows (``reproduce_items``)."""
    loinc: Loinc | None
    timing: Sourced | None
    mcids: tuple[Threshold, ...]
    mdcs: tuple[Threshold, ...]
    responder_threshold: ResponderThreshold | None
    notes: str | None
    sources: tuple[str, ...]
    evidence: str

    def in_score_units(self, t: Threshold) -> float:
        """A threshold in the units of :attr:`Score.value` (percentage points converted)."""
        lo, hi = self.total_range
        return t.value * (hi - lo) / 100 if t.scale == "percent" else t.value


@dataclass(frozen=True)
class InstrumentData:
    """``sources``: instruments.yaml's own plus the knowledge base's."""

    sources: Mapping[str, Source]
    instruments: Mapping[str, Instrument]
    function_preference: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    """``answered`` and ``missing`` count items; both are 0 when a total was entered."""

    instrument_id: str
    value: float
    unit: str
    percent: float | None
    answered: int
    missing: int
    direction: str


@dataclass(frozen=True)
class Change:
    """Change between two scores, in :attr:`Score.value` units.

    ``improvement`` is positive when the patient got better (sign-corrected by direction). ``mcid`` and
    ``mdc`` are ``None`` where none was found; then ``responder`` / ``beyond_mdc`` are ``None`` too.
    ``context`` is the context whose MCID was used (the default's when the one asked for is not listed).
    """

    instrument_id: str
    context: str | None
    delta: float
    improvement: float
    mcid: float | None
    mdc: float | None
    responder: bool | None
    beyond_mdc: bool | None
    mcid_id: str | None
    mcid_sources: tuple[str, ...]
    evidence: str
    mdc_sources: tuple[str, ...]
    mdc_evidence: str | None
    unit: str
    rule: str = "points"
    """The rule applied (:data:`RULES`); stored with the verdict."""
    relative_percent: float | None = None
    """For ``rule == "relative"``: the percentage of baseline that was required."""
    overridden: bool = False
    """Whether the clinic's own MCID replaced the catalogue value (the sources then name the default it replaced)."""
