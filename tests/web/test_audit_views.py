"""Pages that show patient data leave a 'view' row (issue 9: these four did not)."""

from __future__ import annotations

import pytest

from dryneedling.accounts.models import AuditEvent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/patients/{p}/edit/", "patient_form.view"),
        ("/episodes/{e}/edit/", "episode_form.view"),
        ("/episodes/{e}/home-care/", "home_care_editor.view"),
        ("/episodes/{e}/outcomes.svg", "outcome_chart.view"),
    ],
)
def test_pages_with_patient_data_are_audited(alice, alice_client, patient_a, url, action):
    episode = patient_a.episodes.get()
    response = alice_client.get(url.format(p=patient_a.pk, e=episode.pk))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=action)
    assert event.actor == alice and event.outcome == "success"
    assert event.patient_id == patient_a.pk  # the access report finds it by patient
