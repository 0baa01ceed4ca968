"""Two-factor sign-in in its real configuration: who must verify, enrolment, codes, admin reset."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from dryneedling.accounts.models import AuditEvent, RecoveryCode
from dryneedling.accounts.recovery import recovery_code_digest
from tests.conftest import PASSWORD, totp_code, totp_device

VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"


def _csrf(client: Client, url: str) -> str:
    client.get(url)
    return client.cookies["csrftoken"].value


def _password_sign_in(client: Client, email: str) -> None:
    token = _csrf(client, "/accounts/login/")
    response = client.post("/accounts/login/", {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def _post(client: Client, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_the_real_configuration_enforces_two_factor():
    middleware = settings.MIDDLEWARE
    assert "django_otp.middleware.OTPMiddleware" in middleware
    assert "dryneedling.accounts.middleware.TwoFactorRequiredMiddleware" in middleware
    assert middleware.index("django_otp.middleware.OTPMiddleware") < middleware.index(
        "dryneedling.accounts.middleware.TwoFactorRequiredMiddleware"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["alice", "dana"])
def test_an_unverified_clinician_or_admin_is_sent_to_verify_before_any_page(persona, request):
    user = request.getfixturevalue(persona)
    totp_device(user)
    client = Client()
    client.force_login(user)  # password step done, no code yet
    for url in ["/patients/", "/clinic/", "/kb/", "/clinic/audit/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{VERIFY}?next={url.replace('/', '%2F')}", url
    htmx = client.get("/patients/", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(VERIFY)
    # sign-out and the patients' public pages stay reachable
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/learn/clinic-a/").status_code == 200


@pytest.mark.django_db
def test_a_clinician_without_an_authenticator_is_sent_to_enrol(alice):
    client = Client()
    client.force_login(alice)
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    assert client.get(VERIFY)["Location"] == SETUP


@pytest.mark.django_db
def test_front_desk_verifies_only_when_the_clinic_requires_it(bob, dana_client):
    client = Client()
    client.force_login(bob)
    assert client.get("/patients/").status_code == 200
    _csrf(dana_client, "/clinic/two-factor/")
    assert _post(dana_client, "/clinic/two-factor/policy/", {"require_front_desk": "on"}).status_code == 302
    assert client.get("/patients/")["Location"].startswith(SETUP)
    assert AuditEvent.objects.filter(action="clinic.two_factor_policy", detail__require_front_desk=True).exists()


@pytest.mark.django_db
def test_password_then_code_signs_in_and_a_wrong_code_is_refused_and_audited(alice):
    device = totp_device(alice)
    client = Client(enforce_csrf_checks=True)
    _password_sign_in(client, alice.email)
    assert client.get("/patients/")["Location"].startswith(VERIFY)
    _csrf(client, VERIFY)
    wrong = _post(client, VERIFY, {"code": "000000" if totp_code(device) != "000000" else "111111", "next": "/kb/"})
    assert wrong.status_code == 200 and b"did not work" in wrong.content
    assert AuditEvent.objects.filter(action="two_factor.verify", outcome="failure", actor=alice).exists()
    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # skip the 1 s back-off the failure started
    device.save()
    right = _post(client, VERIFY, {"code": totp_code(device), "next": "/kb/"})
    assert right.status_code == 302 and right["Location"] == "/kb/"
    assert client.get("/patients/").status_code == 200
    assert AuditEvent.objects.filter(action="two_factor.verify", outcome="success", actor=alice).exists()


@pytest.mark.django_db
def test_next_never_leaves_the_site(alice):
    device = totp_device(alice)
    client = Client()
    client.force_login(alice)
    _csrf(client, VERIFY)
    response = _post(client, VERIFY, {"code": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/today/"


@pytest.mark.django_db
def test_enrolment_shows_an_inline_svg_qr_confirms_with_a_code_and_shows_10_hashed_recovery_codes(alice):
    client = Client()
    client.force_login(alice)
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "style=" not in html and "<script>" not in html
    assert "data:" not in html  # no data: URI needed by the strict CSP
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    key_start = device.config_url.split("secret=")[1][:4]
    assert key_start in client.get(SETUP).content.decode()  # the same key on reload
    assert TOTPDevice.objects.filter(user=alice).count() == 1
    _csrf(client, SETUP)
    wrong = _post(client, SETUP, {"code": "12345"})
    assert wrong.status_code == 200 and b"does not match" in wrong.content
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    done = _post(client, SETUP, {"code": totp_code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z0-9-]{19})</code>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(device__user=alice).values_list("digest", flat=True))
    assert stored == {recovery_code_digest(code) for code in codes}
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)
    assert client.get("/patients/").status_code == 200  # verified by the enrolment code
    assert AuditEvent.objects.filter(action="two_factor.enrol", outcome="success", actor=alice).exists()
    assert client.get(SETUP).status_code == 302  # enrolled: no second authenticator behind their back


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(alice):
    from dryneedling.accounts.two_factor import totp_enrolment_confirm, totp_enrolment_start

    totp_enrolment_start(user=alice)
    _, codes = totp_enrolment_confirm(user=alice, code=totp_code(TOTPDevice.objects.get(user=alice)))
    first = Client()
    first.force_login(alice)
    _csrf(first, VERIFY)
    used = _post(first, VERIFY, {"code": codes[3].upper().replace("-", " ")})  # typed loosely
    assert used.status_code == 302 and first.get("/patients/").status_code == 200
    assert RecoveryCode.objects.filter(device__user=alice).count() == 9
    again = Client()
    again.force_login(alice)
    _csrf(again, VERIFY)
    refused = _post(again, VERIFY, {"code": codes[3]})
    assert refused.status_code == 200 and again.get("/patients/").status_code == 302


@pytest.mark.django_db
def test_a_clinic_admin_resets_a_members_two_factor_and_it_is_audited(alice, bob_client, carol, dana, dana_client):
    totp_device(carol)
    page = dana_client.get("/clinic/two-factor/")
    assert page.status_code == 200 and b"Alice Adams" in page.content and b"Carol" not in page.content
    token = dana_client.cookies["csrftoken"].value
    assert dana_client.post(f"/clinic/two-factor/{alice.pk}/reset/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    event = AuditEvent.objects.get(action="two_factor.reset")
    assert event.actor == dana and event.object_id == str(alice.pk) and event.clinic_id == dana.membership.clinic_id
    # another clinic's member, and a front-desk user, are refused
    assert dana_client.post(f"/clinic/two-factor/{carol.pk}/reset/", {"csrfmiddlewaretoken": token}).status_code == 403
    assert TOTPDevice.objects.filter(user=carol).exists()
    _csrf(bob_client, "/patients/")
    bob_token = bob_client.cookies["csrftoken"].value
    response = bob_client.post(f"/clinic/two-factor/{alice.pk}/reset/", {"csrfmiddlewaretoken": bob_token})
    assert response.status_code == 403
    assert bob_client.get("/clinic/two-factor/").status_code == 403
