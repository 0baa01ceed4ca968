"""The authorization matrix, generated from the routes.

Every named route in `dryneedling.urls` x every method (GET, POST, PUT, PATCH, DELETE) x every
persona (anonymous, a deactivated user of clinic A, Carol of clinic B, Bob front desk, Alice
clinician, Dana clinic admin, Mia clinic admin and clinician) is requested against real records of
clinic A, and the outcome class is checked against the one table in tests/web/authz_table.py. A
route without a row fails.

Each case runs inside a savepoint that is rolled back, so no case sees another's writes (a POST
that signs the note, or a sign-out, changes nothing for the next case). Denied bodies must not
carry the patient's name or MRN; a 405 writes no audit row; nothing answers 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from dryneedling.accounts.models import AuditEvent
from tests.conftest import mark_verified
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)
from tests.web.authz_table import METHODS, PERSONAS, TABLE, classify, expected_outcome
from tests.web.conftest import MATRIX_CASES

PATIENT_DATA = ("Zelda", "Quimby", "A-0001")
DENIED = {"403", "404", "405", "410", "login"}
REASON_SHOWN = re.compile(rb'role="alert" data-refusal>\s*[^<\s]')  # the 403 page's reason, in words


def route_names() -> list[str]:
    """Every named route of the project (a route without a name cannot have a row: it fails)."""
    names = []
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) in ("api", "fhir"):  # token-authenticated: tests/api, tests/fhir
            continue
        assert isinstance(pattern, URLPattern), f"included URLconf {pattern!r}: walk it too"
        assert pattern.name, f"route {pattern.pattern} has no name, so it cannot have a row in authz_table"
        names.append(pattern.name)
    return names


def test_every_route_has_exactly_one_row() -> None:
    names = route_names()
    missing = [name for name in names if name not in TABLE]
    assert not missing, f"routes without a row in tests/web/authz_table.py: {', '.join(missing)}"
    stale = sorted(set(TABLE) - set(names))
    assert not stale, f"rows in tests/web/authz_table.py for routes that no longer exist: {', '.join(stale)}"


@dataclass
class World:
    kwargs: dict[str, Any]
    tokens: dict[str, str]
    clients: dict[str, Client]
    csrf: str


def _client(user: Any, csrf: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
        mark_verified(client, user)  # past the second factor, as after a real sign-in
    # The CSRF cookie a browser holds after opening any form page (the login page for anonymous
    # visitors); it is not tied to the session.
    client.cookies[settings.CSRF_COOKIE_NAME] = csrf
    return client


@pytest.fixture
def world(alice, bob, dana, mia, carol, clinic_a, patient_a, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    """Clinic A with one patient carrying every kind of record the routes take an id of."""
    from dryneedling.accounting.services import payment_record
    from dryneedling.accounts.logo import clinic_logo_set
    from dryneedling.accounts.services import user_create
    from dryneedling.followup.consent import consent_link_for
    from dryneedling.followup.homecare import home_care_link, home_care_plan_create
    from dryneedling.followup.services import checkin_link
    from dryneedling.patients.services import patient_create
    from dryneedling.safetyrecords.models import TrainingRecord
    from dryneedling.safetyrecords.services import sharps_incident_report
    from tests.conftest import PASSWORD
    from tests.followup.test_services import complete_session
    from tests.images import image_bytes

    session = complete_session(alice, ready_episode)  # note drafted, soreness check-in scheduled
    check_in = ready_episode.check_ins.get(kind="soreness")
    plan = home_care_plan_create(actor=alice, episode=ready_episode)
    incident = sharps_incident_report(
        actor=alice,
        kind="retained_needle",
        person="patient",
        session=session,
        description="Needle tip found after removal.",
        immediate_action="Removed, site checked.",
    )
    # The consent link of a patient who has not consented yet (patient_a's would answer 410 "used").
    unconsented = patient_create(
        actor=bob, mrn="A-0002", given_name="Yusuf", family_name="Xavier", date_of_birth=date(1990, 2, 3), sex="male"
    )
    finding, event = _finding_and_side_effect(alice, ready_episode, session)
    training = TrainingRecord.objects.filter(clinician=alice).first()
    assert training is not None
    former = user_create(
        email="ina@a.test", full_name="Ina Inactive", clinic=clinic_a, role="clinician", password=PASSWORD
    )
    csrf = _get_new_csrf_string()
    clients = {
        "anon": _client(None, csrf),
        "inactive": _client(former, csrf),  # signed in while active, then deactivated
        "carol": _client(carol, csrf),
        "bob": _client(bob, csrf),
        "alice": _client(alice, csrf),
        "dana": _client(dana, csrf),
        "mia": _client(mia, csrf),
    }
    type(former).objects.filter(pk=former.pk).update(is_active=False)
    appointment, feed_token = _appointment_and_feed(alice, bob, dana, patient_a)
    clinic_logo_set(actor=dana, data=image_bytes())  # clinic A has a logo; clinic B has none
    payment = payment_record(  # a payment to void (issue 11)
        actor=bob, patient=patient_a, amount="10.00", method="cash", received_on=date(2026, 1, 5)
    )
    token = lambda link: link.rstrip("/").split("/")[-1]  # noqa: E731
    return World(
        kwargs={
            "patient_id": patient_a.pk,
            "episode_id": ready_episode.pk,
            "session_id": session.pk,
            "user_id": alice.pk,
            "record_id": training.pk,
            "incident_id": incident.pk,
            "clinic_slug": clinic_a.slug,
            "muscle_id": "gluteus_medius",
            "condition_id": "neck_pain",
            "uidb64": "MQ",  # a password reset link (user id 1) ...
            "appointment_id": appointment.pk,
            "finding_id": finding.pk,
            "event_id": event.pk,
            "payment_id": payment.pk,
            "response_chart": "forest",
            "chart": "funnel",
        },
        tokens={
            "c": token(checkin_link(check_in)),
            "h": token(home_care_link(plan)),
            "s": token(consent_link_for(actor=alice, patient=unconsented)),
            "a": "made-up-reset-token",  # ... whose token is not valid
            "i": feed_token,
        },
        clients=clients,
        csrf=csrf,
    )


def _finding_and_side_effect(alice, episode, session):  # type: ignore[no-untyped-def]
    """A charted finding and a side effect of the (unsigned) session: both can be corrected."""
    from dryneedling.care.adverse import adverse_event_record
    from dryneedling.treatment.services.chart import finding_create

    finding = finding_create(
        actor=alice, episode=episode, muscle_id="gluteus_medius", side="right", view="back", x=118.0, y=236.0,
        status="active", tenderness=5,
    )  # fmt: skip
    event = adverse_event_record(actor=alice, session=session, kind="bruising", severity="mild", onset="after")
    return finding, event


def _appointment_and_feed(alice, bob, dana, patient):  # type: ignore[no-untyped-def]
    """An appointment of Alice's next Monday (booked by Bob) and Alice's calendar feed token."""
    from datetime import time, timedelta

    from django.utils import timezone

    from dryneedling.scheduling import rules
    from dryneedling.scheduling.services import (
        appointment_book,
        appointment_types_seed,
        calendar_feed_regenerate,
        working_hours_add,
    )

    working_hours_add(actor=dana, clinician=alice, weekday=0, starts=time(8), ends=time(17))
    kind = appointment_types_seed(clinic=patient.clinic)[0]
    today = timezone.now().date()
    monday = today + timedelta(days=7 - today.weekday())
    start = rules.local_to_utc(monday, time(9), patient.clinic.time_zone)
    appointment = appointment_book(actor=bob, clinician=alice, patient=patient, appointment_type=kind, starts_at=start)
    return appointment, calendar_feed_regenerate(actor=alice)


def url_for(name: str, world: World) -> str:
    pattern = next(p for p in get_resolver().url_patterns if getattr(p, "name", None) == name)
    wanted = pattern.pattern.converters.keys()  # type: ignore[attr-defined]
    kwargs = {key: world.kwargs[key] for key in wanted if key != "token"}
    if "token" in wanted:
        kwargs["token"] = world.tokens[str(pattern.pattern)[0]]  # c/, h/ or s/; a/ccounts/reset/
    return reverse(name, kwargs=kwargs)


def request_once(client: Client, method: str, url: str, csrf: str) -> tuple[str, bytes, int]:
    """(outcome class, body, audit rows written); the case's writes are rolled back, and so are
    the client's cookies (a sign-out would otherwise end the persona's session for later cases)."""
    cookies = SimpleCookie(client.cookies)
    with transaction.atomic():
        before = AuditEvent.objects.count()
        try:
            if method == "POST":
                response = client.post(url, {"csrfmiddlewaretoken": csrf})
            else:
                response = client.generic(method, url, headers={"X-CSRFToken": csrf})
        except Exception as error:  # noqa: BLE001  (a 500: report it as a case, not a crash)
            transaction.set_rollback(True)
            client.cookies = cookies
            return f"500 ({type(error).__name__}: {error})", b"", 0
        written = AuditEvent.objects.count() - before
        transaction.set_rollback(True)
    client.cookies = cookies
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return classify(response), body, written


def test_authorization_matrix(world: World, request: pytest.FixtureRequest) -> None:
    failures: list[str] = []
    cases = 0
    for name in route_names():
        url = url_for(name, world)
        for method in METHODS:
            for persona in PERSONAS:
                cases += 1
                expected = expected_outcome(name, method, persona)
                got, body, written = request_once(world.clients[persona], method, url, world.csrf)
                where = f"{name} {method} {url} as {persona}"
                if got not in expected:
                    failures.append(f"{where}: expected {'/'.join(sorted(expected))}, got {got}")
                if got in DENIED and any(word.encode() in body for word in PATIENT_DATA):
                    failures.append(f"{where}: the {got} body carries patient data")
                if got == "403" and not REASON_SHOWN.search(body):
                    failures.append(f"{where}: the 403 page does not say why")
                if got == "405" and written:
                    failures.append(f"{where}: the 405 wrote {written} audit row(s)")
    request.config.stash[MATRIX_CASES] = cases
    assert not failures, f"{len(failures)} of {cases} cases failed:\n" + "\n".join(failures)
