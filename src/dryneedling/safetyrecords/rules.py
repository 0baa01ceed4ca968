"""The clinical core's jurisdiction rules, as this app uses them.

One place imports `dryneedling.clinical.credentials` (pure, Django-free): the jurisdictions a clinic
may choose and the credential problems of a clinician under them. Tests of this app's wiring replace
`_rules` with a fake.
"""

from __future__ import annotations

from types import ModuleType

from dryneedling.clinical import credentials
from dryneedling.clinical.safety import Guardrail

UNKNOWN_JURISDICTION = "CRED-JURISDICTION"


def _rules() -> ModuleType:
    return credentials


def jurisdiction_labels() -> dict[str, str]:
    """Jurisdiction id -> label, in the data's order."""
    return {str(key): str(label) for key, label in _rules().JURISDICTIONS.items()}


def credential_guardrails(*, jurisdiction: str, profession: str | None, training_hours: float) -> tuple[Guardrail, ...]:
    """The blocks a clinician's record raises under the jurisdiction (empty: may needle).

    A jurisdiction the data no longer knows blocks too, in words, rather than failing the page.
    """
    if jurisdiction not in jurisdiction_labels():
        message = (
            f"The clinic's jurisdiction '{jurisdiction}' is not in the rules: a clinic admin chooses one in "
            "Safety settings."
        )
        return (Guardrail(level="block", rule_id=UNKNOWN_JURISDICTION, message=message, sources=(), evidence="NF"),)
    return tuple(
        _rules().credential_problems(jurisdiction=jurisdiction, profession=profession, training_hours=training_hours)
    )
