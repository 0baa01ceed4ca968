"""Consent lets a session start, so only a clinician records clinic-side consent and pain drawings
(issue 9): front desk and clinic admins are refused in words."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from dryneedling.treatment.models import Consent, PainDrawing
from dryneedling.treatment.services.chart import consent_record, pain_drawing_record
from tests.conftest import csrf_token


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bob", "dana"])
def test_only_clinicians_record_consent(request, who, patient_a):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="Only a clinician"):
        consent_record(actor=actor, patient=patient_a, signed_name="Zelda Quimby", optional_items=[])
    assert not Consent.unscoped.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bob", "dana"])
def test_only_clinicians_record_pain_drawings(request, who, patient_a):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="Only a clinician"):
        pain_drawing_record(actor=actor, episode=patient_a.episodes.get(), regions=["neck_left"], nprs=5)
    assert not PainDrawing.unscoped.exists()


@pytest.mark.django_db
def test_front_desk_is_refused_the_consent_page_in_words(bob_client, alice_client, patient_a):
    page = bob_client.get(f"/patients/{patient_a.pk}/consent/")
    assert page.status_code == 403
    assert "Only a clinician" in page.content.decode()
    assert csrf_token(alice_client, f"/patients/{patient_a.pk}/consent/")  # a clinician gets the form
    bob_client.get("/patients/")
    token = bob_client.cookies["csrftoken"].value
    response = bob_client.post(
        f"/patients/{patient_a.pk}/consent/",
        {"csrfmiddlewaretoken": token, "signed_name": "Zelda Quimby", "signer": "patient"},
    )
    assert response.status_code == 403
    assert not Consent.unscoped.exists()
