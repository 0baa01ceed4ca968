"""The patient register (issue 10): automatic MRNs, search, duplicates, insurance and contacts."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from dryneedling.accounts.models import AuditEvent
from dryneedling.patients.models import Patient
from dryneedling.patients.selectors import (
    birth_dates_in,
    patient_list_for,
    patient_possible_duplicates_for,
)
from dryneedling.patients.services import patient_create, patient_update
from dryneedling.patients.validation import npi_is_valid
from tests.followup.test_send_due import _database_env, _drop

ANN = {"given_name": "Ann", "family_name": "Lee", "date_of_birth": date(1980, 5, 17), "sex": "female"}


def _names(patients) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(p.given_name for p in patients)


# --- automatic MRNs ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_mrn_is_assigned_per_clinic_in_the_configured_format(alice, carol):
    first = patient_create(actor=alice, **ANN)
    second = patient_create(actor=alice, **(ANN | {"given_name": "Ben"}))
    other_clinic = patient_create(actor=carol, **ANN)
    assert (first.mrn, second.mrn, other_clinic.mrn) == ("000001", "000002", "000001")
    assert AuditEvent.objects.get(action="patient.create", object_id=str(first.pk)).detail == {"mrn": "automatic"}


@pytest.mark.django_db
@override_settings(MRN_FORMAT="{clinic}-{n:05d}")
def test_the_mrn_format_may_name_the_clinic(alice):
    assert patient_create(actor=alice, **ANN).mrn == "CLINIC-A-00001"


@pytest.mark.django_db
def test_a_typed_mrn_is_kept_and_taken_numbers_are_skipped(alice):
    imported = patient_create(actor=alice, **(ANN | {"mrn": "000001"}))
    assert imported.mrn == "000001"
    assert patient_create(actor=alice, **(ANN | {"mrn": "  "})).mrn == "000002"  # empty means automatic
    patient_create(actor=alice, **(ANN | {"mrn": "000003"}))
    assert patient_create(actor=alice, **ANN).mrn == "000004"
    with pytest.raises(ValidationError) as caught:
        patient_create(actor=alice, **(ANN | {"mrn": "000004"}))
    assert "mrn" in caught.value.message_dict


@pytest.mark.django_db
@override_settings(MRN_FORMAT="{n} !")
def test_a_format_that_makes_a_bad_mrn_is_a_message_not_a_500(alice):
    with pytest.raises(ValidationError) as caught:
        patient_create(actor=alice, **ANN)
    assert "mrn" in caught.value.message_dict
    assert not Patient.unscoped.exists()


CREATE_AT_ONCE = """
import sys, time
import django
django.setup()
from datetime import date
from dryneedling.accounts.models import User
from dryneedling.patients.services import patient_create
alice = User.objects.get(email="alice@a.test")
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
for i in range(5):
    patient = patient_create(actor=alice, given_name=f"P{sys.argv[2]}-{i}", family_name="Twin",
                             date_of_birth=date(1990, 1, 1), sex="unknown")
    print(patient.mrn)
"""


def test_concurrent_creates_get_different_mrns(tmp_path):
    """Four processes create five patients each, starting at the same moment, against a real
    database (an SQLite file, or a fresh PostgreSQL database in the PostgreSQL pass): twenty
    patients, twenty MRNs, 000001 to 000020."""
    env, database = _database_env(tmp_path)
    try:
        subprocess.run([sys.executable, "-m", "dryneedling.cli", "migrate"], env=env, check=True, capture_output=True)
        for argv in (
            ["createclinic", "--name", "Clinic A", "--slug", "clinic-a"],
            [
                "createuser",
                "--email",
                "alice@a.test",
                "--name",
                "Alice",
                "--clinic",
                "clinic-a",
                "--role",
                "front_desk",
            ],
        ):
            subprocess.run(
                [sys.executable, "-m", "dryneedling.cli", *argv],
                env=env,
                check=True,
                capture_output=True,
                stdin=subprocess.DEVNULL,
            )
        start = str(time.time() + 4)
        runners = [
            subprocess.Popen(
                [sys.executable, "-c", CREATE_AT_ONCE, start, str(n)],
                env=env | {"DJANGO_SETTINGS_MODULE": "dryneedling.settings"},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(4)
        ]
        outputs = [runner.communicate(timeout=180) for runner in runners]
        assert all(runner.returncode == 0 for runner in runners), [err[-1500:] for _, err in outputs]
        mrns = sorted(line for out, _ in outputs for line in out.split())
        assert mrns == [f"{n:06d}" for n in range(1, 21)]
    finally:
        _drop(database)


# --- search -----------------------------------------------------------------------------------


@pytest.fixture
def register(alice, carol):  # type: ignore[no-untyped-def]
    patient_create(actor=alice, **ANN, phone="(555) 010-2030", email="ann.lee@example.org", mrn="IMP-77")
    patient_create(
        actor=alice,
        given_name="Ben",
        family_name="Lee",
        date_of_birth=date(1980, 6, 5),
        sex="male",
        phone="555.010.9999",
        email="ben@example.net",
    )
    patient_create(
        actor=alice, given_name="Cara", family_name="Moss", date_of_birth=date(1975, 12, 1), sex="other", phone=""
    )
    patient_create(actor=carol, **ANN, phone="(555) 010-2030")  # another clinic: never found


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1980-05-17", ["Ann"]),  # ISO
        ("17/05/1980", ["Ann"]),  # day first: 17 cannot be a month
        ("05/17/1980", ["Ann"]),  # month first
        ("17.05.1980", ["Ann"]),
        ("05/06/1980", ["Ben"]),  # reads both ways: 5 June is Ben, 6 May nobody
        ("06/05/1980", ["Ben"]),
        ("5550102030", ["Ann"]),  # phone: digits only compared
        ("555-010-2030", ["Ann"]),
        ("555 010 2030", ["Ann"]),
        ("(555) 010", ["Ann", "Ben"]),
        ("9999", ["Ben"]),
        ("ann.lee@example", ["Ann"]),
        ("example.net", ["Ben"]),
        ("imp-7", ["Ann"]),  # MRN prefix, any case
        ("00000", ["Ben", "Cara"]),  # automatic MRNs 000001, 000002
        ("MP-77", []),  # a prefix, not any part
        ("lee 1980-06-05", ["Ben"]),  # words combine
        ("LEE", ["Ann", "Ben"]),
        ("31/02/1980", []),  # no such date: no match, no error
        ("\x00ann", ["Ann"]),
    ],
)
def test_search_by_name_birth_date_phone_email_and_mrn_prefix(alice, register, query, expected):
    assert _names(patient_list_for(actor=alice, query=query)) == expected


def test_birth_dates_in_reads_iso_and_both_day_month_orders():
    assert birth_dates_in("1980-05-17") == [date(1980, 5, 17)]
    assert birth_dates_in("17/05/1980") == [date(1980, 5, 17)]
    assert birth_dates_in("05/06/1980") == [date(1980, 6, 5), date(1980, 5, 6)]
    assert birth_dates_in("07/07/1980") == [date(1980, 7, 7)]
    assert birth_dates_in("17/05/80") == []  # a two-digit year is not guessed
    assert birth_dates_in("Lee") == []


# --- possible duplicates ----------------------------------------------------------------------


@pytest.mark.django_db
def test_possible_duplicates_match_names_in_any_case_and_the_birth_date(alice, carol, register):
    found = patient_possible_duplicates_for(
        actor=alice, given_name=" ann ", family_name="LEE", date_of_birth=date(1980, 5, 17)
    )
    assert [p.mrn for p in found] == ["IMP-77"]  # not carol's patient of the same name
    assert not patient_possible_duplicates_for(
        actor=alice, given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 18)
    )


# --- insurance, emergency contact, referring physician ----------------------------------------


@pytest.mark.parametrize(
    ("npi", "valid"),
    [
        ("1234567893", True),  # CMS's worked example
        ("1245319599", True),
        ("1234567890", False),
        ("123456789", False),
        ("12345678931", False),
        ("12345678a3", False),
        ("１２３４５６７８９３", False),  # full-width digits are not ASCII digits
    ],
)
def test_npi_check_digit_is_luhn_over_80840(npi, valid):
    assert npi_is_valid(npi) is valid


CONTACTS = {
    "insurance_payer": "Acme Health",
    "insurance_member_id": "XJ-449-0021",
    "insurance_medicare": False,
    "emergency_contact_name": "Sam Lee",
    "emergency_contact_relationship": "Brother",
    "emergency_contact_phone": "555 010 4444",
    "referring_physician_name": "Dr. Rosa Park",
    "referring_physician_npi": "1234567893",
    "referring_physician_phone": "555-010-7777",
}


@pytest.mark.django_db
def test_insurance_and_contacts_are_stored_and_their_changes_audited_by_name(alice):
    patient = patient_create(actor=alice, **ANN, **CONTACTS)
    assert Patient.objects.for_actor(alice).get(pk=patient.pk).insurance_member_id == "XJ-449-0021"
    patient_update(actor=alice, patient=patient, insurance_member_id="XJ-449-0022", insurance_medicare=True)
    update = AuditEvent.objects.get(action="patient.update")
    assert update.detail == {"fields": ["insurance_medicare", "insurance_member_id"]}
    assert "XJ" not in str(update.detail)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"referring_physician_npi": "1234567890"}, "referring_physician_npi"),
        ({"referring_physician_name": ""}, "referring_physician_name"),
        ({"insurance_payer": ""}, "insurance_payer"),
        ({"emergency_contact_phone": ""}, "emergency_contact_phone"),
        ({"emergency_contact_name": ""}, "emergency_contact_name"),
        ({"emergency_contact_phone": "call me"}, "emergency_contact_phone"),
        ({"emergency_contact_name": "Sam\u202eLee"}, "emergency_contact_name"),
        ({"insurance_member_id": "x" * 65}, "insurance_member_id"),
        ({"insurance_medicare": "maybe"}, "insurance_medicare"),
    ],
)
def test_insurance_and_contacts_reject_incoherent_input_with_a_field_message(alice, change, field):
    with pytest.raises(ValidationError) as caught:
        patient_create(actor=alice, **ANN, **(CONTACTS | change))
    assert field in caught.value.message_dict
    assert not Patient.unscoped.exists()


@pytest.mark.django_db
def test_medicare_without_a_payer_name_is_enough_for_a_member_id(alice):
    patient = patient_create(actor=alice, **ANN, insurance_medicare=True, insurance_member_id="1EG4-TE5-MK73")
    assert patient.insurance_medicare and patient.insurance_payer == ""
