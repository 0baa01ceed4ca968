"""Personas and clients shared by the whole suite.

Alice: clinician, clinic A. Bob: front desk, clinic A. Dana: clinic admin, clinic A.
Carol: clinician, clinic B. Clients enforce CSRF checks.

Two-factor sign-in runs in its real configuration in every test (the middleware is not switched
off): the persona clients below are signed in AND verified, as after a real TOTP code, by giving
the user a confirmed TOTP device and recording it in the session exactly as django_otp.login does.
tests/accounts/test_two_factor.py proves an unverified clinician is sent to verify.

Passwords are hashed with MD5 in tests (fast); tests/accounts/test_password_hashing.py checks
that production settings use Argon2 and that Argon2 hashes and verifies.
"""

from __future__ import annotations

import os
import time
from datetime import date

os.environ.setdefault("DRYNEEDLING_TEST", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API + live_server

import pytest  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

PASSWORD = "correct horse battery staple 42"


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Tests about one database engine run in that engine's pass of CI and are deselected (not
    skipped) in the other: `.ci/run` runs the suite on both."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    other = "postgres_only" if "sqlite" in engine else "sqlite_only"
    deselected = [item for item in items if item.get_closest_marker(other)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(other)]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Let Django empty the throwaway test database between transactional tests.

    Audit rows are append-only through database triggers; the guard row lifts them. Tests of
    the append-only rule set it back inside their own transaction (see tests/accounts).
    """
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("UPDATE dryneedling_audit_guard SET purge_allowed = 1")


@pytest.fixture
def clinic_a(db):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.services import clinic_create

    return clinic_create(name="Clinic A", slug="clinic-a")


@pytest.fixture
def clinic_b(db):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.services import clinic_create

    return clinic_create(name="Clinic B", slug="clinic-b")


def _user(email: str, name: str, clinic, role: str, also: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.services import user_create

    return user_create(email=email, full_name=name, clinic=clinic, role=role, also=also, password=PASSWORD)


@pytest.fixture
def alice(clinic_a):  # type: ignore[no-untyped-def]
    return _user("alice@a.test", "Alice Adams", clinic_a, "clinician")


@pytest.fixture
def bob(clinic_a):  # type: ignore[no-untyped-def]
    return _user("bob@a.test", "Bob Brown", clinic_a, "front_desk")


@pytest.fixture
def dana(clinic_a):  # type: ignore[no-untyped-def]
    return _user("dana@a.test", "Dana Diaz", clinic_a, "clinic_admin")


@pytest.fixture
def mia(clinic_a):  # type: ignore[no-untyped-def]
    """Clinic admin of clinic A who also needles: holds both roles and gets both."""
    return _user("mia@a.test", "Mia Moreno", clinic_a, "clinic_admin", also=("clinician",))


@pytest.fixture
def carol(clinic_b):  # type: ignore[no-untyped-def]
    return _user("carol@b.test", "Carol Chen", clinic_b, "clinician")


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():  # type: ignore[no-untyped-def]
    """Argon2 costs ~50 ms of CPU per hash: the suite hashes with MD5 instead (tests only)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        yield


FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def totp_device(user):  # type: ignore[no-untyped-def]
    """The user's confirmed TOTP device (created if missing), as after a real enrolment."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def totp_code(device) -> str:  # type: ignore[no-untyped-def]
    """The code an authenticator app would show now, for a time step the device has not used yet.

    The device accepts one step ahead (tolerance 1), so a second sign-in within the same 30 s
    uses the next step's code instead of waiting.
    """
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        totp.drift += device.last_t + 1 - totp.t()
    return f"{totp.token():0{device.digits}d}"


def mark_verified(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    """Record a verified second factor in the client's session (what django_otp.login stores)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from dryneedling.accounts.middleware import LAST_REFRESH_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session[LAST_REFRESH_KEY] = int(time.time())  # as a request would: the next ones save nothing (issue 14)
    session.save()


def _client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    mark_verified(client, user)
    return client


@pytest.fixture
def alice_client(alice) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(bob)


@pytest.fixture
def carol_client(carol) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(carol)


@pytest.fixture
def dana_client(dana) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(dana)


@pytest.fixture
def anon_client() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def patient_a(alice):  # type: ignore[no-untyped-def]
    """A patient of clinic A with one coded episode."""
    from dryneedling.patients.services import episode_create, patient_create

    patient = patient_create(
        actor=alice,
        mrn="A-0001",
        given_name="Zelda",
        family_name="Quimby",
        date_of_birth=date(1980, 5, 17),
        sex="female",
        phone="555-0100",
    )
    episode_create(
        actor=alice,
        patient=patient,
        conditions=[("M54.2", "Cervicalgia")],
        reason="Neck pain after desk work",
        referral_source="physician",
        start_date=date(2026, 1, 5),
        end_date=None,
        status="active",
    )
    return patient


def csrf_token(client: Client, url: str) -> str:
    """GET a page with a form and return its CSRF token (as a browser would)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.context["csrf_token"]


def pytest_report_header(config):  # type: ignore[no-untyped-def]
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"dryneedling: database engine {engine}"
