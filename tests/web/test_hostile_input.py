"""Hostile input gets a message next to the field, never a 500 (issue 9)."""

from __future__ import annotations

import pytest

from dryneedling.treatment.models import PainDrawing
from tests.conftest import csrf_token

HOSTILE_JSON = {
    "deep nesting": "[" * 50000,
    "deep objects": '{"a":' * 5000 + "1" + "}" * 5000,
    "5,000-digit number": '{"front.neck.left": ' + "9" * 5000 + "}",
    "over the size cap": "{" + ", ".join(['"front.neck.left": 3'] * 2000) + "}",
    "not a number": '{"front.neck.left": NaN}',
}


@pytest.mark.django_db
@pytest.mark.parametrize("payload", list(HOSTILE_JSON.values()), ids=list(HOSTILE_JSON))
def test_pain_drawing_hostile_json_is_a_field_error(alice_client, patient_a, payload):
    episode = patient_a.episodes.get()
    url = f"/episodes/{episode.pk}/pain-drawings/"
    token = csrf_token(alice_client, f"/episodes/{episode.pk}/chart/")
    response = alice_client.post(url, {"csrfmiddlewaretoken": token, "pain_regions": payload, "nprs": "3"})
    assert response.status_code == 200
    assert response.context["pain_form"].errors["pain_regions"]
    assert not PainDrawing.unscoped.exists()
