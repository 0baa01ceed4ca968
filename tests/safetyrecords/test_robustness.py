"""Bad input to the safety-record forms never answers 500 and never half-writes a record."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dryneedling.safetyrecords.models import SharpsIncident, TrainingRecord
from tests.conftest import csrf_token

TEXT = st.text(max_size=300)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(course=TEXT, provider=TEXT, hours=st.text(max_size=12), completed_on=st.text(max_size=20), cert=TEXT)
def test_training_form_never_answers_500(alice_client, alice, course, provider, hours, completed_on, cert):
    url = f"/clinic/credentials/{alice.pk}/"
    token = csrf_token(alice_client, url)
    data = {"csrfmiddlewaretoken": token, "action": "training", "course": course, "provider": provider}
    data |= {"hours": hours, "completed_on": completed_on, "certificate": cert}
    before = TrainingRecord.objects.count()
    response = alice_client.post(url, data)
    assert response.status_code in (200, 302)
    assert TrainingRecord.objects.count() == before + (1 if response.status_code == 302 else 0)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["needlestick", "retained_needle", "x", ""]),
    person=st.sampled_from(["staff", "patient", "visitor"]),
    staff=st.text(max_size=6),
    mrn=TEXT,
    session=st.text(max_size=8),
    occurred=st.text(max_size=20),
    description=TEXT,
)
def test_incident_form_never_answers_500(alice_client, kind, person, staff, mrn, session, occurred, description):
    token = csrf_token(alice_client, "/clinic/sharps/new/")
    data = {"csrfmiddlewaretoken": token, "kind": kind, "person": person, "staff_member": staff, "patient_mrn": mrn}
    data |= {"session": session, "occurred_at": occurred, "description": description, "immediate_action": "Washed."}
    before = SharpsIncident.unscoped.count()
    response = alice_client.post("/clinic/sharps/new/", data)
    assert response.status_code in (200, 302, 404)
    assert SharpsIncident.unscoped.count() == before + (1 if response.status_code == 302 else 0)
