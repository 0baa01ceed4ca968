from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from dryneedling import settings as production_settings
from dryneedling.accounts.models import AuditEvent, User
from dryneedling.accounts.services import clinic_create, user_create


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS)  # the suite hashes with MD5
def test_user_create_makes_membership_hashes_with_argon2_and_audits(clinic_a):
    user = user_create(
        email="New@Clinic.test ",
        full_name="New Person",
        clinic=clinic_a,
        role="front_desk",
        password="a long enough passphrase 9",
    )
    assert user.email == "new@clinic.test"
    assert user.password.startswith("argon2")
    assert user.membership.clinic == clinic_a and user.membership.role == "front_desk"
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not-an-email"}, None),
        ({"role": "surgeon"}, "role"),
        ({"password": "short"}, None),
    ],
)
def test_user_create_rejects_bad_input(clinic_a, kwargs, field):
    data = {
        "email": "x@y.test",
        "full_name": "X",
        "clinic": clinic_a,
        "role": "clinician",
        "password": "a long enough passphrase 9",
    } | kwargs
    with pytest.raises(ValidationError):
        user_create(**data)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_clinic_slug_is_unique(clinic_a):
    with pytest.raises(ValidationError):
        clinic_create(name="Again", slug="clinic-a")
