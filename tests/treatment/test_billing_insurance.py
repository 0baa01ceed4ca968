"""The patient's insurance reaches billing (issue 10): a new session's payer defaults from it and
the superbill shows the payer, the member ID and the referring physician's NPI."""

from __future__ import annotations

import re

import pytest

from dryneedling.patients.services import patient_update
from dryneedling.treatment.billing import payer_default_for
from tests.treatment.conftest import record, sign_note


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("insurance", "payer"),
    [
        ({}, "self_pay"),
        ({"insurance_payer": "Acme Health"}, "commercial"),
        ({"insurance_member_id": "X1", "insurance_medicare": True}, "medicare"),
    ],
)
def test_a_new_session_starts_with_the_payer_of_the_patients_insurance(
    alice, alice_client, ready_episode, patient_a, insurance, payer
):
    patient = patient_update(actor=alice, patient=patient_a, **insurance)
    assert payer_default_for(patient) == payer
    page = alice_client.get(f"/episodes/{ready_episode.pk}/sessions/new/").content.decode()
    select = re.search(r'<select name="payer"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None and f'<option value="{payer}" selected>' in select.group(1)


@pytest.mark.django_db
def test_the_superbill_shows_the_member_id_and_the_referring_npi(alice, alice_client, patient_a, session_a):
    patient_update(
        actor=alice,
        patient=patient_a,
        insurance_payer="Acme Health",
        insurance_member_id="XJ-449-0021",
        referring_physician_name="Dr. Rosa Park",
        referring_physician_npi="1234567893",
    )
    record(alice, session_a)
    sign_note(alice, session_a)  # only a signed session has a superbill
    page = alice_client.get(f"/sessions/{session_a.pk}/superbill/").content.decode()
    assert "Acme Health · member ID XJ-449-0021" in page
    assert "Referring physician: Dr. Rosa Park · NPI 1234567893" in page
