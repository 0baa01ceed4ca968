"""Clinic settings a clinic admin changes in the browser (issue 10): members and the clinic."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from dryneedling.accounts.clinic_settings import clinic_policy_update, clinic_profile_update
from dryneedling.accounts.members import (
    INVITE_DAYS,
    invite_token_generator,
    member_invite,
    member_roles_set,
    member_set_active,
    member_unlock,
)
from dryneedling.accounts.models import AuditEvent, RateLimitCounter, User
from dryneedling.accounts.ratelimit import rate_limit_hit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
VALID_NPI = "1234567893"  # CMS's worked example


def _link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/invite/\S+/)", body)
    assert match, body
    return match.group(1)


def test_invite_sends_a_set_password_link_that_works_once(client, dana):
    user = member_invite(actor=dana, email=" New@A.test", full_name="Nina New", role="front_desk", also=["clinician"])
    assert user.email == "new@a.test" and not user.has_usable_password()
    assert (
        user.membership.roles == {"front_desk", "clinician"} and user.membership.clinic_id == dana.membership.clinic_id
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@a.test"]
    assert f"{INVITE_DAYS} days" in mail.outbox[0].body
    page = client.get(_link(mail.outbox[0].body), follow=True)
    assert b"Set your password" in page.content
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/invite/done/"
    welcome = client.get(done["Location"]).content.decode()
    assert "Your account is ready" in welcome and "signed out" not in welcome  # a new account: nobody to sign out
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    again = client.get(_link(mail.outbox[0].body), follow=True)
    assert b"This link does not work" in again.content
    event = AuditEvent.objects.get(action="member.invite")
    assert event.detail == {"roles": ["clinician", "front_desk"]} and "new@a.test" not in str(event.detail)


def test_invite_token_lasts_the_invite_days_and_is_not_a_reset_token(dana):
    from django.contrib.auth.tokens import default_token_generator

    user = member_invite(actor=dana, email="n@a.test", full_name="N", role="clinician")
    token = invite_token_generator.make_token(user)
    assert not default_token_generator.check_token(user, token)
    later = invite_token_generator._now() + timedelta(days=INVITE_DAYS, hours=-1)
    with mock.patch.object(type(invite_token_generator), "_now", return_value=later):
        assert invite_token_generator.check_token(user, token)
    with mock.patch.object(type(invite_token_generator), "_now", return_value=later + timedelta(hours=2)):
        assert not invite_token_generator.check_token(user, token)


def test_only_clinic_admins_invite_and_emails_are_unique(alice, dana):
    with pytest.raises(PermissionDenied, match="clinic admin"):
        member_invite(actor=alice, email="x@a.test", full_name="X", role="clinician")
    with pytest.raises(ValidationError) as error:
        member_invite(actor=dana, email="alice@a.test", full_name="X", role="clinician")
    assert "email" in error.value.message_dict
    with pytest.raises(ValidationError):
        member_invite(actor=dana, email="x@a.test", full_name="X", role="surgeon")


def test_deactivate_refuses_self_and_last_admin_and_ends_sessions(dana, alice, carol):
    with pytest.raises(PermissionDenied, match="your own"):
        member_set_active(actor=dana, user_id=dana.pk, active=False)
    member_set_active(actor=dana, user_id=alice.pk, active=False)
    alice.refresh_from_db()
    assert not alice.is_active
    member_set_active(actor=dana, user_id=alice.pk, active=True)
    alice.refresh_from_db()
    assert alice.is_active
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="member.").order_by("id")] == [
        "member.deactivate",
        "member.reactivate",
    ]
    with pytest.raises(Http404):
        member_set_active(actor=dana, user_id=carol.pk, active=False)


def test_the_last_active_admin_cannot_be_deactivated(dana, mia):
    member_set_active(actor=dana, user_id=mia.pk, active=False)  # Dana stays
    member_set_active(actor=dana, user_id=mia.pk, active=True)
    member_roles_set(actor=mia, user_id=dana.pk, role="front_desk")  # Mia stays admin
    with pytest.raises(ValidationError, match="at least one active clinic admin"):
        member_roles_set(actor=mia, user_id=mia.pk, role="clinician")


def test_deactivating_the_other_admin_leaves_one(dana, mia):
    member_set_active(actor=mia, user_id=dana.pk, active=False)
    with pytest.raises(ValidationError, match="at least one active clinic admin"):
        member_set_active(actor=dana, user_id=mia.pk, active=False)  # Dana's request begun before she was deactivated
    dana.refresh_from_db()
    with pytest.raises(PermissionDenied):
        member_set_active(actor=dana, user_id=mia.pk, active=False)


def test_role_change_sets_primary_and_extras_and_audits_role_names(dana, alice):
    member = member_roles_set(actor=dana, user_id=alice.pk, role="front_desk", also=["clinician"])
    assert member.role == "front_desk" and member.roles == {"front_desk", "clinician"}
    event = AuditEvent.objects.get(action="member.roles")
    assert event.detail["roles"] == [["clinician"], ["clinician", "front_desk"]]
    with pytest.raises(ValidationError) as error:
        member_roles_set(actor=dana, user_id=dana.pk, role="clinician")
    assert "at least one active clinic admin" in str(error.value)


def test_unlock_clears_rate_limit_counters_and_axes_lockouts(dana, alice):
    for _ in range(3):
        rate_limit_hit(scope="login-email", key=alice.email)
    AccessAttempt.objects.create(
        username=alice.email,
        ip_address="203.0.113.9",
        user_agent="x",
        failures_since_start=9,
        attempt_time=timezone.now(),
    )
    cleared = member_unlock(actor=dana, user_id=alice.pk)
    assert cleared >= 2
    assert not RateLimitCounter.objects.filter(scope="login-email").exists()
    assert not AccessAttempt.objects.filter(username=alice.email).exists()
    assert AuditEvent.objects.get(action="member.unlock").detail == {"cleared": cleared}


def test_profile_validates_npi_time_zone_and_audits_field_names(dana):
    with pytest.raises(ValidationError) as error:
        clinic_profile_update(
            actor=dana, name="A", npi="1234567890", time_zone="Mars/Olympus", tax_id="12", place_of_service="x"
        )
    assert set(error.value.message_dict) == {"npi", "time_zone", "tax_id", "place_of_service"}
    clinic = clinic_profile_update(
        actor=dana,
        name="Clinic A",
        address="1 Main St\nSpringfield",
        phone="+1 (555) 010-0000",
        npi=VALID_NPI,
        tax_id="12-3456789",
        place_of_service="11",
        time_zone="America/Chicago",
    )
    assert clinic.time_zone == "America/Chicago" and clinic.npi == VALID_NPI
    event = AuditEvent.objects.filter(action="clinic.profile.update").get()
    assert event.detail == {"fields": ["address", "npi", "phone", "tax_id", "time_zone"]}


def test_profile_is_for_clinic_admins(alice):
    with pytest.raises(PermissionDenied):
        clinic_profile_update(actor=alice, name="Mine now")


def test_policy_bounds(dana):
    good = {
        "screening_validity_days": 60,
        "maintenance_pain_threshold": 3,
        "session_minutes_min": 10,
        "session_minutes_max": 20,
        "default_point_seconds": 20,
    }
    clinic = clinic_policy_update(actor=dana, **good)
    assert clinic.screening_validity_days == 60
    assert AuditEvent.objects.get(action="clinic.policy.update").detail["fields"] == [
        "default_point_seconds",
        "maintenance_pain_threshold",
        "screening_validity_days",
        "session_minutes_max",
    ]
    with pytest.raises(ValidationError) as error:
        clinic_policy_update(actor=dana, **{**good, "maintenance_pain_threshold": 11, "session_minutes_min": 30})
    assert set(error.value.message_dict) == {"maintenance_pain_threshold"}
    with pytest.raises(ValidationError) as error:
        clinic_policy_update(actor=dana, **{**good, "session_minutes_min": 30})
    assert set(error.value.message_dict) == {"session_minutes_max"}


def test_invited_user_is_a_user(dana):
    member_invite(actor=dana, email="q@a.test", full_name="Q", role="front_desk")
    assert User.objects.filter(email="q@a.test", is_active=True).exists()


def test_the_alert_address_is_set_on_the_profile_and_checked(dana):
    """Where a patient's red flag is also mailed (Today and red-flag alerts, issue 10)."""
    with pytest.raises(ValidationError) as error:
        clinic_profile_update(actor=dana, name="Clinic A", alert_email="not an address")
    assert set(error.value.message_dict) == {"alert_email"}
    clinic = clinic_profile_update(actor=dana, name="Clinic A", alert_email="Alerts@Clinic-A.test")
    assert clinic.alert_email == "alerts@clinic-a.test"
    assert "alert_email" in AuditEvent.objects.filter(action="clinic.profile.update").get().detail["fields"]


def test_unlock_is_offered_only_for_locked_accounts(dana, dana_client, alice, bob, settings):
    """The Users page shows Unlock on a member's row only while their sign-in is locked: by axes
    (failures from an address) or by the app's limit on failed sign-ins to one email."""
    from dryneedling.accounts import ratelimit

    page = dana_client.get("/clinic/settings/users/").content.decode()
    assert 'value="unlock"' not in page
    AccessAttempt.objects.create(
        username=alice.email, ip_address="10.0.0.1", user_agent="t", failures_since_start=settings.AXES_FAILURE_LIMIT
    )
    limit, _ = ratelimit.limit_for("login-email")
    for _ in range(limit):
        rate_limit_hit(scope="login-email", key=bob.email)
    page = dana_client.get("/clinic/settings/users/").content.decode()
    assert page.count('value="unlock"') == 2
    assert f"Unlock sign-in of {alice.full_name}" in page and f"Unlock sign-in of {bob.full_name}" in page
    assert "Locked out" in page
