"""Issue 11: the drafted note states every guardrail warning gone ahead with and its reason (also
one given at an earlier point of the session), the patient's position, each needle's size, depth
and handling, the electrical parameters, the needle count in and out, and side effects with their
management. The pure wording is pinned in tests/clinical/test_soap.py; here, the stored record."""

from __future__ import annotations

import pytest

from dryneedling.care.adverse import adverse_event_record
from dryneedling.treatment.models import Note
from tests.treatment.conftest import finish, record
from tests.treatment.test_point_speed import REASON


@pytest.mark.django_db
def test_the_draft_states_the_whole_procedure(alice, session_a):
    record(alice, session_a, muscle_id="piriformis", override_reason=REASON, target_depth_mm=45, handling="pincer")
    record(alice, session_a, muscle_id="gluteus_maximus")  # the same warning: the reason given earlier
    session_a.refresh_from_db()
    adverse_event_record(
        actor=alice,
        session=session_a,
        kind="bruising",
        severity="mild",
        onset="during",
        management="Pressure for one minute",
    )
    finish(alice, session_a)
    note = Note.unscoped.get(session=session_a)
    assert "Patient position: Prone." in note.objective
    assert "Piriformis (right): 0.30 x 50 mm needle, depth 45 mm, pincer grasp, pistoning" in note.objective
    assert "Gluteus maximus (right): 0.30 x 50 mm needle, depth not recorded, pistoning" in note.objective
    assert "Needle count: 2 used, 2 removed." in note.objective
    assert "Bruising (mild): Pressure for one minute" in note.objective
    assert "Guardrail warnings gone ahead with, and the clinician's reason:" in note.assessment
    assert "[GR-NEUROVASCULAR] (first at the Piriformis) Reason: " + REASON in note.assessment
    assert f"GR-NEUROVASCULAR — reason given earlier: {REASON}" in note.objective  # at the second point
