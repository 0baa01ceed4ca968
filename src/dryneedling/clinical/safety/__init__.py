"""Safety guardrails for one planned insertion: blocks and warnings, each with its rule id and source.

Public API::

    plan = SafetyPlan.from_dict(raw)   # PlanError (a ValueError) with one line naming the field
    verdict = evaluate(plan)           # Verdict(level="allowed"|"warn"|"block", reasons=(Guardrail, ...))

The lower-level :func:`check_insertion` (one :class:`PlannedInsertion` in an :class:`InsertionContext`)
is what :func:`evaluate` runs; rules live in ``data/guardrails.yaml`` (kind + params).
"""

from __future__ import annotations

from ._run import CHECKS, check_insertion
from ._types import (
    ELECTRICAL_RANGES,
    HANDLINGS,
    LEVELS,
    SEXES,
    SIDES,
    TECHNIQUES,
    ConsentState,
    Electrical,
    Guardrail,
    InsertionContext,
    Location,
    PlannedInsertion,
    ScreenedReason,
    is_blocked,
)
from .engine import VERDICTS, Verdict, evaluate, verdict_of
from .plan import ClinicianFacts, PatientFacts, PlanError, SafetyPlan

__all__ = [
    "CHECKS",
    "ELECTRICAL_RANGES",
    "HANDLINGS",
    "LEVELS",
    "SEXES",
    "SIDES",
    "TECHNIQUES",
    "VERDICTS",
    "ClinicianFacts",
    "ConsentState",
    "Electrical",
    "Guardrail",
    "InsertionContext",
    "Location",
    "PatientFacts",
    "PlanError",
    "PlannedInsertion",
    "SafetyPlan",
    "ScreenedReason",
    "Verdict",
    "check_insertion",
    "evaluate",
    "is_blocked",
    "verdict_of",
]
