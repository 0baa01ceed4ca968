"""The registration form and patient page (issue 10): automatic MRN, no default sex, the duplicate
warning, insurance and contacts, the search box."""

from __future__ import annotations

import re

import pytest

from dryneedling.accounts.models import AuditEvent
from dryneedling.patients.models import Patient
from tests.conftest import csrf_token

FORM = {
    "mrn": "",
    "given_name": "Hana",
    "family_name": "Sato",
    "date_of_birth": "1985-03-09",
    "sex": "female",
    "phone": "(555) 010-3344",
}


def _post(client, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(url, data | {"csrfmiddlewaretoken": csrf_token(client, url)})


@pytest.mark.django_db
def test_the_registration_form_has_no_default_sex_and_an_optional_mrn(bob_client):
    page = bob_client.get("/patients/new/").content.decode()
    select = re.search(r'<select name="sex"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    assert '<option value="" selected>' in select.group(1)
    assert "selected" not in select.group(1).split("</option>", 1)[1]
    assert re.search(r'<input type="text" name="mrn"[^>]*>', page) and "required" not in re.search(
        r'<input type="text" name="mrn"[^>]*>', page
    ).group(0)
    response = _post(bob_client, "/patients/new/", FORM | {"sex": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Patient.unscoped.exists()


@pytest.mark.django_db
def test_front_desk_registers_a_patient_and_gets_the_next_mrn(bob_client):
    response = _post(bob_client, "/patients/new/", FORM)
    assert response.status_code == 302
    patient = Patient.unscoped.get()
    assert patient.mrn == "000001"
    assert "MRN</dt><dd>000001" in bob_client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_an_imported_mrn_may_be_typed(bob_client):
    assert _post(bob_client, "/patients/new/", FORM | {"mrn": "OLD-4411"}).status_code == 302
    assert Patient.unscoped.get().mrn == "OLD-4411"


@pytest.mark.django_db
def test_same_name_and_birth_date_warns_with_links_then_creates_when_confirmed(bob_client, carol_client):
    _post(carol_client, "/patients/new/", FORM)  # another clinic's Hana Sato is never shown
    assert _post(bob_client, "/patients/new/", FORM).status_code == 302
    first = Patient.objects.for_clinic(Patient.unscoped.get(mrn="000001", clinic__slug="clinic-a").clinic_id).get()
    warned = _post(bob_client, "/patients/new/", FORM | {"given_name": "HANA", "phone": "555 010 9000"})
    page = warned.content.decode()
    assert warned.status_code == 200
    assert 'id="possible-duplicates"' in page and f'href="/patients/{first.pk}/"' in page
    assert page.count("/patients/") and 'name="confirm_duplicate" value="on"' in page
    assert Patient.unscoped.filter(clinic=first.clinic).count() == 1  # warned, not created
    confirmed = _post(bob_client, "/patients/new/", FORM | {"given_name": "HANA", "confirm_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Patient.unscoped.filter(clinic=first.clinic).count() == 2
    different = _post(bob_client, "/patients/new/", FORM | {"date_of_birth": "1985-03-10"})
    assert different.status_code == 302  # another birth date: no warning


CONTACTS = {
    "insurance_payer": "Acme Health",
    "insurance_member_id": "XJ-449-0021",
    "insurance_medicare": "False",
    "emergency_contact_name": "Sam Sato",
    "emergency_contact_relationship": "Brother",
    "emergency_contact_phone": "555 010 4444",
    "referring_physician_name": "Dr. Rosa Park",
    "referring_physician_npi": "1234 567 893",
    "referring_physician_phone": "555-010-7777",
}


@pytest.mark.django_db
def test_insurance_and_contacts_are_edited_shown_and_audited(alice_client, patient_a):
    url = f"/patients/{patient_a.pk}/edit/"
    form = alice_client.get(url).content.decode()
    for legend in ("Insurance", "Emergency contact", "Referring physician"):
        assert f"<legend>{legend}</legend>" in form
    data = {
        "mrn": patient_a.mrn,
        "given_name": patient_a.given_name,
        "family_name": patient_a.family_name,
        "date_of_birth": patient_a.date_of_birth.isoformat(),
        "sex": patient_a.sex,
    }
    assert _post(alice_client, url, data | CONTACTS).status_code == 302
    page = alice_client.get(f"/patients/{patient_a.pk}/").content.decode()
    for shown in ("Acme Health", "member ID XJ-449-0021", "Sam Sato (Brother), 555 010 4444", "NPI 1234567893"):
        assert shown in page
    update = AuditEvent.objects.filter(action="patient.update").latest("id")
    assert "insurance_member_id" in update.detail["fields"] and "referring_physician_npi" in update.detail["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"referring_physician_npi": "1234567890"}, "last digit checks the others"),
        ({"referring_physician_npi": "12345"}, "An NPI is 10 digits"),
        ({"emergency_contact_phone": ""}, "Give a phone number for the emergency contact."),
        ({"insurance_payer": ""}, "Name the payer"),
        ({"insurance_medicare": "perhaps"}, "Select a valid choice"),
        ({"referring_physician_name": "Dr\u0000 Park"}, "control characters"),
    ],
)
def test_bad_contacts_get_a_field_message(bob_client, change, message):
    response = _post(bob_client, "/patients/new/", FORM | CONTACTS | change)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Patient.unscoped.exists()


@pytest.mark.django_db
def test_the_search_box_finds_by_birth_date_and_phone_live(bob, bob_client):
    _post(bob_client, "/patients/new/", FORM)
    _post(bob_client, "/patients/new/", FORM | {"given_name": "Kenji", "date_of_birth": "1990-01-02", "phone": ""})
    for query in ("09/03/1985", "1985-03-09", "5550103344", "010-3344"):
        partial = bob_client.get("/patients/", {"q": query}, headers={"HX-Request": "true"}).content.decode()
        assert "Sato, Hana" in partial and "Kenji" not in partial, query
        assert "<html" not in partial
    page = bob_client.get("/patients/").content.decode()
    assert "date of birth, phone, email or MRN" in page
