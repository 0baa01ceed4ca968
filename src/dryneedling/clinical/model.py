"""Typed, immutable objects of the clinical knowledge base.

Every entry carries ``sources`` (ids resolving to ``Knowledge.sources``) and an
``evidence`` tag: ``"V"`` verified in the named source, ``"M"`` widely cited but
provisional, ``"NF"`` looked for and not found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from .rules import ScreeningRule

EVIDENCE_TAGS: tuple[str, ...] = ("V", "M", "NF")
EVIDENCE_LABELS: Mapping[str, str] = {
    "V": "verified in the named source",
    "M": "provisional: widely cited, not verified against a primary source",
    "NF": "looked for, not found in the sources consulted",
}
VIEWS: tuple[str, ...] = ("front", "back")
SEVERITIES: tuple[str, ...] = ("mild", "significant", "serious")
CONTRAINDICATION_KINDS: tuple[str, ...] = ("absolute", "relative", "site")
STANDING_LABELS: Mapping[str, str] = {
    "consumer": "consumer site",
    "practice_site": "clinic or practitioner site",
    "course": "course material",
    "study_notes": "study notes",
}
"""A source of doubtful standing (not peer-reviewed, not a guideline or textbook), badged where shown."""


class KnowledgeError(Exception):
    """The knowledge data is broken. The message names the file, the entry and the field."""

    def __init__(self, *, file: str, entry: str, field: str, problem: str) -> None:
        self.file = file
        self.entry = entry
        self.field = field
        self.problem = problem
        super().__init__(f"{file}: entry '{entry}': field '{field}': {problem}")


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    url: str | None
    note: str | None
    evidence: str
    standing: str | None = None
    """A key of ``STANDING_LABELS`` for a source of doubtful standing; ``None`` for the literature."""

    @property
    def standing_label(self) -> str | None:
        return STANDING_LABELS[self.standing] if self.standing else None


@dataclass(frozen=True)
class TriggerPoint:
    """A trigger point drawn on the body chart, on the patient's RIGHT side."""

    view: str
    x: float
    y: float
    description: str


@dataclass(frozen=True)
class NeedleSpec:
    """Typical needle (diameter x length, mm); ``None`` where no value was found."""

    diameter_mm: tuple[float, float] | None
    length_mm: tuple[float, float] | None
    technique: str
    sources: tuple[str, ...]
    evidence: str

    @property
    def default_length_mm(self) -> float | None:
        """The default length offered for this muscle: the short end of the typical range."""
        return self.length_mm[0] if self.length_mm else None

    @property
    def default_diameter_mm(self) -> float | None:
        """The default diameter offered for this muscle: the fine end of the typical range."""
        return self.diameter_mm[0] if self.diameter_mm else None


@dataclass(frozen=True)
class Muscle:
    id: str
    name: str
    body_region: str
    trigger_points: tuple[TriggerPoint, ...]
    referral_primary: tuple[str, ...]
    """Side-less body-chart region bases (e.g. ``back.neck``); ipsilateral to the muscle."""
    referral_spillover: tuple[str, ...]
    referral_text: str
    referral_evidence: str
    needle: NeedleSpec
    hazards: tuple[str, ...]
    lung_risk: bool
    kidney_risk: bool
    safe_depth_mm: float | None
    safe_handling: tuple[str, ...]
    limb: str | None
    girdle: str | None
    notes: str | None
    sources: tuple[str, ...]
    evidence: str
    midline: bool = False
    """An unpaired (midline) structure: only such a muscle may be recorded with side ``midline``."""
    thorax: str | None = None
    """``anterior`` or ``posterior`` chest wall: electrical lead pairs must not span the thorax."""
    non_compressible: bool = False
    """A deep site where bleeding cannot be stopped by direct pressure (antithrombotics warning)."""


THORAX_SIDES: tuple[str, ...] = ("anterior", "posterior")


class IcdCode(NamedTuple):
    code: str
    text: str


@dataclass(frozen=True)
class TypicalCourse:
    sessions_min: int | None
    sessions_max: int | None
    per_week: float | None
    text: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    icd10: tuple[IcdCode, ...]
    icd10_provisional: tuple[str, ...]
    """Codes among ``icd10`` whose use here is provisional ([M])."""
    muscles: tuple[str, ...]
    muscles_evidence: str
    outcome_measures: tuple[str, ...]
    typical_course: TypicalCourse
    evidence_summary: str
    evidence_ids: tuple[str, ...]
    notes: str | None
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Contraindication:
    id: str
    name: str
    kind: str
    description: str
    sites: tuple[str, ...]
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Rate:
    value: float | None
    unit: str
    text: str
    source: str


@dataclass(frozen=True)
class SideEffect:
    id: str
    name: str
    severity: str
    frequency: str
    rates: tuple[Rate, ...]
    allowed_severities: tuple[str, ...]
    """Severities a recorded event of this kind may have (default: its own and any graver one)."""
    management: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class EvidenceFigure:
    label: str
    value: str
    ci: str | None


@dataclass(frozen=True)
class EvidenceStatement:
    id: str
    topic: str
    conditions: tuple[str, ...]
    window: str | None
    statement: str
    figures: tuple[EvidenceFigure, ...]
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class GuardrailRule:
    id: str
    kind: str
    level: str
    message: str
    params: Mapping[str, Any]
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Knowledge:
    version: str
    sources: Mapping[str, Source]
    muscles: Mapping[str, Muscle]
    conditions: Mapping[str, Condition]
    contraindications: Mapping[str, Contraindication]
    side_effects: Mapping[str, SideEffect]
    evidence: Mapping[str, EvidenceStatement]
    screening_rules: tuple[ScreeningRule, ...]
    """Screening rules (see ``dryneedling.clinical.rules``), in evaluation order."""
    guardrails: Mapping[str, GuardrailRule]
    data_dir: Path = field(compare=False, default=Path("."))

    def cite(self, source_ids: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """Full citations for source ids (unknown ids are returned unchanged); a source of doubtful
        standing says so in brackets, e.g. ``[consumer site]``."""
        return tuple(self._cited(s) for s in source_ids)

    def _cited(self, source_id: str) -> str:
        source = self.sources.get(source_id)
        if source is None:
            return source_id
        return f"{source.citation} [{source.standing_label}]" if source.standing_label else source.citation
