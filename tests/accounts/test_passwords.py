"""Password rules: a breached-password check without network, and sessions end on a new password."""

from __future__ import annotations

import gzip

import pytest
from django.contrib.auth.password_validation import CommonPasswordValidator, validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings

from dryneedling.accounts.passwords import BreachedPasswordValidator

PADDED_LEAKS = ["password2024!", "soccersoccer7", "P@ssw0rd1234", "iloveyou123456", "Sunshine12345", "monkey!!2023##"]


@pytest.mark.parametrize("password", PADDED_LEAKS)
def test_django_common_list_alone_lets_padded_leaked_passwords_through(password):
    CommonPasswordValidator().validate(password)  # no error: why the list alone does not suffice


@pytest.mark.parametrize("password", PADDED_LEAKS)
def test_padded_repeated_or_leet_leaked_passwords_are_refused(password):
    with pytest.raises(ValidationError, match="leaked passwords"):
        validate_password(password)


@pytest.mark.parametrize(
    "password", ["correct horse battery staple 42", "a long enough passphrase 9", "tulip granite ferry 88"]
)
def test_passphrases_pass(password):
    validate_password(password)


def test_a_clinics_own_breach_list_is_read_locally(tmp_path):
    path = tmp_path / "breached.txt.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("Riverside-Physio-2026\nanother one\n")
    with override_settings(BREACHED_PASSWORDS_FILE=str(path)):
        with pytest.raises(ValidationError):
            BreachedPasswordValidator().validate("riverside-physio-2026")
        BreachedPasswordValidator().validate("tulip granite ferry 88")


@pytest.mark.django_db
def test_user_create_refuses_a_leaked_password(clinic_a):
    from dryneedling.accounts.services import user_create

    with pytest.raises(ValidationError, match="leaked passwords"):
        user_create(email="n@a.test", full_name="N", clinic=clinic_a, role="clinician", password="Sunshine12345")


@pytest.mark.django_db
def test_a_new_password_signs_out_every_open_session(alice, alice_client):
    """Django keeps a hash of the password in each session: a changed password ends them all
    (update_session_auth_hash keeps only the session that made the change)."""
    assert alice_client.get("/patients/").status_code == 200
    alice.set_password("tulip granite ferry 88")
    alice.save()
    response = alice_client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
