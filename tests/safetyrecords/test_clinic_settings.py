"""The clinic's safety settings: clinic admins only, age of consent 5-25, known jurisdictions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dryneedling.accounts.models import AuditEvent
from dryneedling.safetyrecords.services import clinic_safety_settings_update

pytestmark = pytest.mark.django_db


def test_an_admin_changes_the_settings_and_the_change_is_audited(dana, clinic_a, fake_rules):
    clinic = clinic_safety_settings_update(actor=dana, age_of_consent=16, jurisdiction="testland")
    clinic_a.refresh_from_db()
    assert (
        (clinic_a.age_of_consent, clinic_a.jurisdiction)
        == (16, "testland")
        == (clinic.age_of_consent, clinic.jurisdiction)
    )
    event = AuditEvent.objects.get(action="clinic.safety_settings.update")
    assert event.detail == {"age_of_consent": [18, 16], "jurisdiction": ["generic", "testland"]}
    assert event.clinic == clinic_a


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_other_roles_are_refused_in_words(user, request, clinic_a, fake_rules):
    with pytest.raises(PermissionDenied, match="Only a clinic admin"):
        clinic_safety_settings_update(actor=request.getfixturevalue(user), age_of_consent=16, jurisdiction="generic")
    clinic_a.refresh_from_db()
    assert clinic_a.age_of_consent == 18


@pytest.mark.parametrize("age", [4, 26, -1, True, 16.5])
def test_the_age_of_consent_is_a_whole_number_from_5_to_25(dana, age, fake_rules):
    with pytest.raises(ValidationError) as error:
        clinic_safety_settings_update(actor=dana, age_of_consent=age, jurisdiction="generic")
    assert "age_of_consent" in error.value.message_dict


@pytest.mark.parametrize("age", [5, 25])
def test_the_bounds_are_accepted(dana, age, fake_rules):
    assert clinic_safety_settings_update(actor=dana, age_of_consent=age, jurisdiction="generic").age_of_consent == age


def test_an_unknown_jurisdiction_is_refused(dana, fake_rules):
    with pytest.raises(ValidationError, match="Choose a jurisdiction"):
        clinic_safety_settings_update(actor=dana, age_of_consent=18, jurisdiction="atlantis")
