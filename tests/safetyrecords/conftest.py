"""Fixtures of the clinic safety records.

`fake_rules` stands in for dryneedling.clinical.credentials (helper B's pure rules) where a test
checks this app's wiring rather than the jurisdictions' data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

# A real session of clinic A, started the way the session screen starts one.
from tests.treatment.conftest import episode_a, ready_episode, session_a  # noqa: F401


@dataclass(frozen=True)
class FakeGuardrail:
    level: str
    rule_id: str
    message: str
    sources: tuple[str, ...] = ("fake_source",)
    evidence: str = "M"
    citations: tuple[str, ...] = ()


FAKE_JURISDICTIONS = {"generic": "Generic (no local rule)", "testland": "Testland (50 hours, no chiropractors)"}


@pytest.fixture
def fake_rules(monkeypatch):  # type: ignore[no-untyped-def]
    calls: list[dict[str, Any]] = []

    def credential_problems(*, jurisdiction: str, profession: str | None, training_hours: float):  # type: ignore[no-untyped-def]
        calls.append({"jurisdiction": jurisdiction, "profession": profession, "training_hours": training_hours})
        problems = []
        if jurisdiction == "testland" and training_hours < 50:
            problems.append(
                FakeGuardrail("block", "testland_hours", f"Testland requires 50 hours; {training_hours:g} on file.")
            )
        if jurisdiction == "testland" and profession == "chiropractor":
            problems.append(FakeGuardrail("block", "testland_scope", "Chiropractors may not dry needle in Testland."))
        return tuple(problems)

    fake = SimpleNamespace(JURISDICTIONS=FAKE_JURISDICTIONS, credential_problems=credential_problems, calls=calls)
    monkeypatch.setattr("dryneedling.safetyrecords.rules._rules", lambda: fake)
    return fake


@pytest.fixture
def eve(clinic_a):  # type: ignore[no-untyped-def]
    """A second clinician of clinic A."""
    from dryneedling.accounts.services import user_create
    from tests.conftest import PASSWORD

    return user_create(email="eve@a.test", full_name="Eve Evans", clinic=clinic_a, role="clinician", password=PASSWORD)


def add_training(actor, clinician, **overrides):  # type: ignore[no-untyped-def]
    from dryneedling.safetyrecords.services import training_record_add

    values: dict[str, Any] = {
        "course": "Trigger point dry needling level 1",
        "provider": "Example Institute",
        "hours": 27,
        "completed_on": date(2024, 3, 2),
        "certificate": "EI-2024-0042",
        "covers_electrical": False,
    }
    return training_record_add(actor=actor, clinician=clinician, **(values | overrides))


@pytest.fixture
def trained_alice(alice):  # type: ignore[no-untyped-def]
    """Alice with what the generic jurisdiction (clinic policy) asks for: a profession and training."""
    from dryneedling.safetyrecords.services import clinician_profile_set

    clinician_profile_set(actor=alice, clinician=alice, profession="physical_therapist")
    add_training(alice, alice)
    return alice
