"""The values the safety engine works on: one planned insertion, its context, and a guardrail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SIDES: tuple[str, ...] = ("left", "right", "midline")
TECHNIQUES: tuple[str, ...] = ("pistoning", "static", "electrical")
HANDLINGS: tuple[str, ...] = ("pincer", "flat_palpation", "bracketing")
SEXES: tuple[str, ...] = ("female", "male", "other")
LEVELS: tuple[str, ...] = ("block", "warn")
VIEWS: tuple[str, ...] = ("front", "back")
LIMBS: tuple[str, ...] = ("right_arm", "left_arm", "right_leg", "left_leg")

# Plausible electrical parameters (input validation, not clinical rules): (low, high, unit).
ELECTRICAL_RANGES: dict[str, tuple[float, float, str]] = {
    "frequency_hz": (0.5, 250.0, "Hz"),
    "pulse_width_us": (10.0, 1000.0, "µs"),
    "intensity_ma": (0.1, 100.0, "mA"),
    "duration_min": (1.0, 60.0, "min"),
}


@dataclass(frozen=True)
class Location:
    """The charted point of an insertion (body-chart coordinates, see ``bodychart``)."""

    view: str
    x: float
    y: float

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}")
        if not (0 <= self.x <= 200 and 0 <= self.y <= 460):
            raise ValueError("x must lie in 0-200 and y in 0-460 (the body chart's viewBox)")


@dataclass(frozen=True)
class Electrical:
    """Electrical dry-needling parameters; ``paired_with`` indexes the other lead's insertion."""

    device: str
    frequency_hz: float
    pulse_width_us: float
    intensity_ma: float
    duration_min: float
    paired_with: int | None = None

    def __post_init__(self) -> None:
        if not self.device.strip() or len(self.device) > 120:
            raise ValueError("device must be a name of 1-120 characters")
        for name, (low, high, unit) in ELECTRICAL_RANGES.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise ValueError(f"{name} must lie between {low:g} and {high:g} {unit}, got {value:g}")
        if self.paired_with is not None and self.paired_with < 0:
            raise ValueError("paired_with must be an index of session.insertions (0 or more) or null")

    def to_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "frequency_hz": self.frequency_hz,
            "pulse_width_us": self.pulse_width_us,
            "intensity_ma": self.intensity_ma,
            "duration_min": self.duration_min,
            "paired_with": self.paired_with,
        }


@dataclass(frozen=True)
class PlannedInsertion:
    muscle_id: str
    side: str
    needle_length_mm: float
    technique: str = "pistoning"
    handling: str | None = None
    distance_from_midline_cm: float | None = None
    needle_diameter_mm: float | None = None
    target_depth_mm: float | None = None
    location: Location | None = None
    electrical: Electrical | None = None

    def __post_init__(self) -> None:
        if self.side not in SIDES:
            raise ValueError(f"side must be one of {', '.join(SIDES)}")
        if self.technique not in TECHNIQUES:
            raise ValueError(f"technique must be one of {', '.join(TECHNIQUES)}")
        if self.handling is not None and self.handling not in HANDLINGS:
            raise ValueError(f"handling must be one of {', '.join(HANDLINGS)} or None")
        if not self.needle_length_mm > 0:
            raise ValueError("needle_length_mm must be positive")
        if self.needle_diameter_mm is not None and not 0.1 <= self.needle_diameter_mm <= 0.6:
            raise ValueError("needle_diameter_mm must lie between 0.1 and 0.6 mm")
        if self.target_depth_mm is not None and not 0 < self.target_depth_mm <= self.needle_length_mm:
            raise ValueError("target_depth_mm must be positive and no longer than the needle")
        if self.distance_from_midline_cm is not None and self.distance_from_midline_cm < 0:
            raise ValueError("distance_from_midline_cm must not be negative")
        if self.electrical is not None and self.technique != "electrical":
            raise ValueError("electrical parameters are only for the technique 'electrical'")


@dataclass(frozen=True)
class ConsentState:
    """The patient's signed consent: its version (``None``: no consent) and the items agreed to."""

    version: str | None
    items: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ScreenedReason:
    """One screening rule that fired, with the sites it names (for site blocks and cautions)."""

    rule_id: str
    effect: str  # "not_now", "site_block" or "caution"
    text: str
    sites: tuple[str, ...]
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class InsertionContext:
    """What is known about the patient and the session. Every field defaults to "nothing known";
    ``consent=None`` means consent is not checked here (the caller checks it)."""

    sex: str | None = None
    bmi: float | None = None
    pregnant_trimester: int | None = None
    lymphoedema_limbs: tuple[str, ...] = ()
    other_insertions: tuple[PlannedInsertion, ...] = ()
    at_risk_limbs: tuple[str, ...] = ()
    implants: tuple[str, ...] = ()
    epilepsy: bool = False
    bleeding_disorder: bool = False
    anticoagulants: bool = False
    anticoagulant_drug: str | None = None
    inr: float | None = None
    platelet_count: float | None = None
    consent: ConsentState | None = None
    screening: tuple[ScreenedReason, ...] = ()

    def __post_init__(self) -> None:
        if self.sex is not None and self.sex not in SEXES:
            raise ValueError(f"sex must be one of {', '.join(SEXES)} or None")
        if self.pregnant_trimester not in (None, 1, 2, 3):
            raise ValueError("pregnant_trimester must be 1, 2, 3 or None")
        if self.bmi is not None and not self.bmi > 0:
            raise ValueError("bmi must be positive")
        for limb in (*self.lymphoedema_limbs, *self.at_risk_limbs):
            if limb not in LIMBS:
                raise ValueError(f"limbs must be among {', '.join(LIMBS)}")


@dataclass(frozen=True)
class Guardrail:
    level: str
    rule_id: str
    message: str
    sources: tuple[str, ...]
    evidence: str = "V"
    citations: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "rule_id": self.rule_id,
            "message": self.message,
            "sources": list(self.sources),
            "evidence": self.evidence,
            "citations": list(self.citations),
        }


def is_blocked(guardrails: tuple[Guardrail, ...] | list[Guardrail]) -> bool:
    return any(g.level == "block" for g in guardrails)
