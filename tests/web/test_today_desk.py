"""Today for the front desk (issue 10 walk-through): the day's appointments once, as what the desk
acts on: "Arrivals" (still expected, each with Mark arrived, which comes back to Today) and
"Arrived, waiting" (arrived, not yet in session). Buttons a role cannot use are not shown: the
next step of an arrived patient is for clinicians; a superbill's Session and Note links too."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token
from tests.followup.test_services import complete_session, screened_patient
from tests.web.test_today import _appointments

pytestmark = pytest.mark.django_db


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    return found.group(0) if found else ""


@pytest.fixture
def day(clinic_a, alice, patient_a):  # type: ignore[no-untyped-def]
    other, _ = screened_patient(alice, "W-1", "Walter", "Waiting")
    done, _ = screened_patient(alice, "D-1", "Doris", "Done")
    return {
        "booked": _appointments(clinic_a, alice, patient_a, 1)[0],
        "arrived": _appointments(clinic_a, alice, other, 1, status="arrived", offset=30)[0],
        "done": _appointments(clinic_a, alice, done, 1, status="done", offset=60)[0],
    }


def test_front_desk_sees_arrivals_and_waiting_once_with_mark_arrived(bob_client, day):
    page = bob_client.get("/today/").content.decode()
    arrivals, waiting = _section(page, "today-arrivals"), _section(page, "today-waiting")
    assert "Zelda Quimby" in arrivals and "Walter Waiting" not in arrivals
    assert "Walter Waiting" in waiting and "Zelda Quimby" not in waiting
    assert f'action="/appointments/{day["booked"].pk}/status/"' in arrivals and "Mark arrived" in arrivals
    assert "Mark arrived" not in waiting and "Next step" not in page  # the desk does not open sessions
    assert 'id="today-appointments"' not in page  # the day's list once, not a second table of the same rows
    for name in ("Zelda Quimby", "Walter Waiting"):
        assert page.count(name) == 1
    assert "Doris Done" not in page and "/schedule/?date=" in page  # the whole day: on the day's book


def test_mark_arrived_from_today_comes_back_to_today(bob_client, day):
    from dryneedling.scheduling.models import Appointment

    booked = day["booked"]
    token = csrf_token(bob_client, "/today/")
    response = bob_client.post(
        f"/appointments/{booked.pk}/status/", {"status": "arrived", "back": "today", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and response["Location"] == "/today/"
    assert Appointment.objects.for_clinic(booked.clinic_id).get(pk=booked.pk).status == "arrived"
    page = bob_client.get("/today/").content.decode()
    assert "Zelda Quimby" in _section(page, "today-waiting")
    assert "Nobody else is expected today." in _section(page, "today-arrivals")
    # Without `back` the status route still returns to the day's book.
    arrived = day["arrived"]
    response = bob_client.post(
        f"/appointments/{arrived.pk}/status/", {"status": "nonsense", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200 and "Choose a status." in response.content.decode()


def test_next_step_is_shown_to_clinicians_only(alice_client, bob_client, dana_client, day):
    arrived = day["arrived"]
    day_url = f"/schedule/?date={arrived.starts_at:%Y-%m-%d}"
    for client, shown in ((alice_client, True), (bob_client, False), (dana_client, False)):
        for url in (day_url, f"/appointments/{arrived.pk}/"):
            html = client.get(url).content.decode()
            assert ("Next step" in html) is shown, url
            assert (f"/appointments/{arrived.pk}/next/" in html) is shown, url


def test_superbill_links_to_session_and_note_for_clinicians_only(alice, alice_client, bob_client):
    from dryneedling.treatment.models import Note
    from dryneedling.treatment.services.note import note_sign

    _, episode = screened_patient(alice, "S-9", "Sam", "Bill")
    session = complete_session(alice, episode)
    note_sign(actor=alice, session_id=session.pk, expected_version=Note.unscoped.get(session=session).version)
    links = (f'/sessions/{session.pk}/"', f"/sessions/{session.pk}/note/")
    desk = bob_client.get(f"/sessions/{session.pk}/superbill/")
    assert desk.status_code == 200
    assert not any(link in desk.content.decode() for link in links)
    clinician = alice_client.get(f"/sessions/{session.pk}/superbill/").content.decode()
    assert all(link in clinician for link in links)


def test_acknowledge_link_only_with_open_red_flags(alice, alice_client):
    from dryneedling.followup.models import Alert, CheckIn

    page = alice_client.get("/today/").content.decode()
    assert "No open red flags." in page and "Acknowledge on the follow-up page" not in page
    session_patient, episode = screened_patient(alice, "R-1", "Rita", "Flag")
    session = complete_session(alice, episode)
    check_in = CheckIn.unscoped.get(session=session, kind="soreness")
    Alert.objects.create(
        clinic=session.clinic, patient=session_patient, check_in=check_in, kind=Alert.Kind.RED_FLAG, flags=["x"]
    )
    page = alice_client.get("/today/").content.decode()
    assert "Acknowledge on the follow-up page" in page
