"""Consent by link and in the clinic is signed by the patient or their recorded substitute
decision-maker, and the clinic sees who signed, when and which version (issue 8)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dryneedling.clinical.education import CONSENT_VERSION, consent_items
from dryneedling.patients.validation import names_match
from dryneedling.treatment.models import Consent
from dryneedling.treatment.services.chart import consent_record
from tests.followup.test_links_and_pages import _consent_link, path_of, post_public


@pytest.mark.parametrize(
    ("typed", "expected", "ok"),
    [
        ("Cora Consent", "Cora Consent", True),
        ("  cora   CONSENT ", "Cora Consent", True),
        ("Consent, Cora", "Cora Consent", True),
        ("Cora M. Consent", "Cora Consent", True),
        ("José Núñez", "Jose Nunez", True),
        ("Someone Else", "Cora Consent", False),
        ("Cora", "Cora Consent", False),
        ("Cora Consent Someone Else Entirely", "Cora Consent", False),
        ("", "Cora Consent", False),
    ],
)
def test_names_match(typed, expected, ok):
    assert names_match(typed, expected) is ok


@pytest.mark.django_db
def test_a_link_signed_in_someone_elses_name_is_refused(alice_client, anon_client, patient_a):
    url = path_of(_consent_link(alice_client, patient_a))
    required = [i.id for i in consent_items() if i.required]
    response = post_public(anon_client, url, {"items": required, "signed_name": "Someone Else"})
    assert response.status_code == 400
    assert "does not match the patient" in response.content.decode()
    assert not Consent.unscoped.exists()
    # Nothing of the patient leaks into the refusal.
    assert "Zelda" not in response.content.decode() and "Quimby" not in response.content.decode()


@pytest.mark.django_db
def test_a_recorded_substitute_decision_maker_may_sign(alice, alice_client, anon_client, patient_a):
    from dryneedling.patients.services import patient_update

    url = path_of(_consent_link(alice_client, patient_a))
    required = [i.id for i in consent_items() if i.required]
    refused = post_public(anon_client, url, {"items": required, "signed_name": "Max Quimby", "signer": "substitute"})
    assert refused.status_code == 400 and "No substitute decision-maker" in refused.content.decode()
    patient_update(actor=alice, patient=patient_a, decision_maker_name="Max Quimby", decision_maker_relationship="Son")
    signed = post_public(anon_client, url, {"items": required, "signed_name": "max quimby", "signer": "substitute"})
    assert signed.status_code == 200
    consent = Consent.unscoped.get()
    assert (consent.signer, consent.signed_name, consent.version) == ("substitute", "max quimby", CONSENT_VERSION)
    page = alice_client.get(f"/patients/{patient_a.pk}/").content.decode()
    assert "max quimby" in page and "substitute decision-maker" in page and CONSENT_VERSION in page
    assert "not agreed to: needling over the chest wall and neck, electrical dry needling" in page  # not ticked


@pytest.mark.django_db
def test_consent_in_the_clinic_checks_the_name_too(alice, patient_a):
    with pytest.raises(ValidationError, match="does not match"):
        consent_record(actor=alice, patient=patient_a, signed_name="Bob Brown", optional_items=[])
    with pytest.raises(ValidationError, match="Unknown consent item"):
        consent_record(actor=alice, patient=patient_a, signed_name="Zelda Quimby", optional_items=["what_it_is"])
    consent = consent_record(actor=alice, patient=patient_a, signed_name="Zelda Quimby", optional_items=[])
    assert "chest_wall_neck" not in consent.items and consent.signer == "patient"
