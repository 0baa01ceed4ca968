"""The demo clinics, seeded once per module (small: the export reads every row of them)."""

from __future__ import annotations

import pytest

SMALL = (("riverside", "Riverside", 24, 1), ("hilltop", "Hilltop", 8, 2))


@pytest.fixture
def demo_clinics(monkeypatch, db):  # type: ignore[no-untyped-def]
    from dryneedling import demo
    from dryneedling.accounts.models import Clinic

    monkeypatch.setattr(demo, "DEMO_CLINICS", SMALL)
    demo.demo_load()
    return Clinic.objects.get(slug="riverside"), Clinic.objects.get(slug="hilltop")
