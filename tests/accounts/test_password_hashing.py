"""Production hashes passwords with Argon2; the test suite uses a fast hasher instead."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.test import override_settings

from dryneedling import settings as production_settings


def test_production_settings_hash_with_argon2():
    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_suite_uses_the_fast_hasher():
    assert get_hasher().algorithm == "md5"


@pytest.mark.django_db
def test_argon2_hashes_and_verifies_a_users_password(alice):
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        encoded = make_password("a long passphrase 77")
        assert encoded.startswith("argon2$")
        assert check_password("a long passphrase 77", encoded)
        alice.set_password("another passphrase 88")
        assert alice.password.startswith("argon2$")
        assert alice.check_password("another passphrase 88")
