"""The resource builders, one `Spec` per FHIR resource type, in export order (referenced types
before the types that reference them)."""

from __future__ import annotations

from . import clinic, outcomes, patients, scheduling
from .base import Ctx, Spec

SPECS: tuple[Spec, ...] = (
    *clinic.SPECS,
    *patients.SPECS,
    *outcomes.SPECS,
    *scheduling.SPECS,
)
BY_TYPE = {spec.type: spec for spec in SPECS}

__all__ = ["BY_TYPE", "SPECS", "Ctx", "Spec"]
