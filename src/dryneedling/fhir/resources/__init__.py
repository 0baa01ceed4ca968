"""The resource builders, one `Spec` per table a FHIR resource type is read from, in export order
(referenced types before the types that reference them). A type read from several tables
(Observation, QuestionnaireResponse) has one Spec per table, each with its id prefix."""

from __future__ import annotations

from . import careplans, clinic, observations, outcomes, patients, procedures, questionnaires, scheduling, treatment
from .base import Ctx, Spec

SPECS: tuple[Spec, ...] = (
    clinic.ORGANIZATION,
    *patients.SPECS,
    *treatment.SPECS[:1],  # Encounter
    *procedures.SPECS,
    *outcomes.SPECS,
    *observations.SPECS,
    *questionnaires.SPECS,
    *treatment.SPECS[1:],  # AdverseEvent, Consent
    *careplans.SPECS,
    *scheduling.SPECS,
    clinic.PRACTITIONER,  # last: the types before it collect the users they name
)
BY_TYPE: dict[str, tuple[Spec, ...]] = {}
for _spec in SPECS:
    BY_TYPE[_spec.resource_type] = (*BY_TYPE.get(_spec.resource_type, ()), _spec)

__all__ = ["BY_TYPE", "SPECS", "Ctx", "Spec"]
