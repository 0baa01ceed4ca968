"""Issue 11 — the rendering provider on the superbill: a clinician's credentials and individual NPI
are set with the profession, the NPI checked with its check digit, and edited on the credentials page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dryneedling.accounts.models import AuditEvent
from dryneedling.safetyrecords.models import ClinicianProfile
from dryneedling.safetyrecords.services import clinician_profile_set
from tests.conftest import csrf_token

pytestmark = pytest.mark.django_db


def test_credentials_and_a_valid_npi_are_saved_and_audited(alice):
    clinician_profile_set(
        actor=alice, clinician=alice, profession="physical_therapist", credentials=" PT, DPT ", npi="1245 319 599"
    )
    profile = ClinicianProfile.objects.get(user=alice)
    assert (profile.credentials, profile.npi) == ("PT, DPT", "1245319599")
    assert AuditEvent.objects.get(action="clinician_profile.create").detail["npi"] == "1245319599"


def test_a_call_that_leaves_a_field_out_keeps_what_was_stored(alice):
    """Setting the profession alone (as a script or an older caller does) loses no credential;
    an empty value given on purpose clears it."""
    clinician_profile_set(
        actor=alice, clinician=alice, profession="physical_therapist", licence_number="PT-1", credentials="PT, DPT",
        npi="1245319599",
    )  # fmt: skip
    clinician_profile_set(actor=alice, clinician=alice, profession="physician")
    profile = ClinicianProfile.objects.get(user=alice)
    assert (profile.profession, profile.licence_number, profile.credentials, profile.npi) == (
        "physician", "PT-1", "PT, DPT", "1245319599",
    )  # fmt: skip
    clinician_profile_set(actor=alice, clinician=alice, profession="physician", npi="")
    assert ClinicianProfile.objects.get(user=alice).npi == ""


def test_an_npi_with_a_wrong_check_digit_is_a_field_error(alice):
    with pytest.raises(ValidationError) as error:
        clinician_profile_set(actor=alice, clinician=alice, profession="physical_therapist", npi="1245319598")
    assert "check digit" in error.value.message_dict["npi"][0]
    assert not ClinicianProfile.objects.exists()


def test_the_credentials_page_edits_the_npi_and_keeps_the_input_on_error(alice, alice_client):
    url = f"/clinic/credentials/{alice.pk}/"
    data = {
        "csrfmiddlewaretoken": csrf_token(alice_client, url),
        "action": "profile",
        "profession": "physical_therapist",
        "credentials": "PT, DPT",
        "npi": "1245319598",
    }
    page = alice_client.post(url, data).content.decode()
    assert "check digit" in page and 'value="PT, DPT"' in page and not ClinicianProfile.objects.exists()
    assert alice_client.post(url, data | {"npi": "1245319599"}).status_code == 302
    assert ClinicianProfile.objects.get(user=alice).npi == "1245319599"
    page = alice_client.get(url).content.decode()
    assert 'value="1245319599"' in page and 'value="PT, DPT"' in page
