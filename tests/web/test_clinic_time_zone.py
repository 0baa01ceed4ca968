"""Issue 10: every time a clinic sees is in its own zone (`Clinic.time_zone`), stored in UTC.

The clinic here is in New York. A session started at 02:30 UTC on 24 March 2024 was started at
22:30 on the 23rd in New York (EDT, UTC-4): the session page, the note (and the text drafted into
it), the superbill PDF and the audit trail all say the 23rd, and no staff page labels a time "UTC".
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.conftest import _client_for
from tests.safetyrecords.test_sharps import report
from tests.treatment import conftest as treatment_fixtures
from tests.treatment.conftest import finish, record, start_session

# The treatment fixtures this module's tests ask for by name.
episode_a, ready_episode = treatment_fixtures.episode_a, treatment_fixtures.ready_episode

NEW_YORK = ZoneInfo("America/New_York")
STARTED = datetime(2024, 3, 24, 2, 30, tzinfo=UTC)  # 2024-03-23 22:30 in New York
CONSENTED = datetime(2024, 3, 24, 1, 15, tzinfo=UTC)  # 2024-03-23 21:15 in New York
SIGNED = datetime(2024, 3, 24, 3, 5, tzinfo=UTC)  # 2024-03-23 23:05 in New York

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_york(clinic_a):  # type: ignore[no-untyped-def]
    clinic_a.time_zone = "America/New_York"
    clinic_a.save(update_fields=["time_zone"])
    return clinic_a


@pytest.fixture
def late_session(new_york, alice, ready_episode):  # type: ignore[no-untyped-def]
    """A completed session started at 02:30 UTC (22:30 the evening before in New York), consent
    recorded at 01:15 UTC, the note signed at 03:05 UTC."""
    from dryneedling.treatment.models import Consent, Session
    from dryneedling.treatment.services.note import note_sign

    Consent.unscoped.filter(patient=ready_episode.patient).update(recorded_at=CONSENTED)
    session = start_session(alice, ready_episode)
    Session.unscoped.filter(pk=session.pk).update(started_at=STARTED)
    record(alice, session)
    finish(alice, session)
    session.refresh_from_db()
    with mock.patch("django.utils.timezone.now", return_value=SIGNED):
        note_sign(actor=alice, session_id=session.pk, expected_version=session.note.version)
    return session


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_session_page_shows_the_clinic_day_and_time(alice_client, late_session):
    page = alice_client.get(f"/sessions/{late_session.pk}/").content.decode()
    assert "Started 2024-03-23 22:30" in page
    assert "America/New_York" in page
    assert "2024-03-24" not in page and " UTC" not in page


def test_the_note_shows_local_times_and_its_draft_was_written_in_local_time(alice_client, late_session):
    note = late_session.note
    note.refresh_from_db()
    # stored text drafted from the record: converted when it was drafted
    drafted = " ".join((note.subjective, note.objective, note.assessment, note.plan))
    assert "signed by Zelda Quimby (the patient) on 2024-03-23" in drafted
    page = alice_client.get(f"/sessions/{late_session.pk}/note/").content.decode()
    assert "Signed 2024-03-23 23:05" in page
    assert "Session of 2024-03-23" in page
    assert "America/New_York" in page and " UTC" not in page


def test_the_superbill_pdf_dates_the_service_on_the_clinic_day(alice_client, late_session):
    html = alice_client.get(f"/sessions/{late_session.pk}/superbill/").content.decode()
    assert "Date of service: 2024-03-23" in html
    text = _pdf_text(alice_client.get(f"/sessions/{late_session.pk}/superbill.pdf").content)
    assert "2024-03-23" in text and "2024-03-24" not in text


def test_the_audit_trail_shows_clinic_times_and_names_the_zone(new_york, dana, alice, late_session):
    from dryneedling.accounts.models import AuditEvent

    event = AuditEvent.objects.filter(clinic=new_york).latest("at")
    page = _client_for(dana).get("/clinic/audit/").content.decode()
    assert "Time (America/New_York)" in page and "UTC" not in page
    assert f"{event.at.astimezone(NEW_YORK):%Y-%m-%d %H:%M:%S}" in page


def test_the_audit_csv_keeps_iso_times_with_their_offset(new_york, dana, alice, late_session):
    body = b"".join(_client_for(dana).get("/clinic/audit/?action=note.sign&export=csv").streaming_content).decode()
    rows = body.splitlines()
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00,", rows[1]), rows[1]


def test_the_zone_is_not_left_active_after_the_request(alice_client, late_session):
    alice_client.get(f"/sessions/{late_session.pk}/")
    assert timezone.get_current_timezone_name() != "America/New_York"


def test_a_sharps_incident_closed_in_new_york_is_stamped_in_new_york(new_york, alice, dana):
    from dryneedling.safetyrecords.services import sharps_incident_close

    incident = report(alice, occurred_at=STARTED)
    with mock.patch("django.utils.timezone.now", return_value=SIGNED):
        closed = sharps_incident_close(actor=dana, incident=incident, follow_up="Bloods taken, all negative.")
    assert "2024-03-23 23:05 America/New_York, Dana Diaz" in closed.follow_up_notes
    page = _client_for(dana).get(f"/clinic/sharps/{incident.pk}/").content.decode()
    assert "2024-03-23 22:30" in page and "America/New_York" in page and " UTC" not in page
    listing = _client_for(dana).get("/clinic/sharps/").content.decode()
    assert "When (America/New_York)" in listing and "2024-03-23 22:30" in listing


def test_a_sharps_time_typed_in_is_read_in_the_clinic_zone(new_york, alice):
    from dryneedling.safetyrecords.models import SharpsIncident
    from tests.conftest import csrf_token

    client = _client_for(alice)
    token = csrf_token(client, "/clinic/sharps/new/")
    form = client.get("/clinic/sharps/new/").content.decode()
    assert "(UTC)" not in form and "America/New_York" in form
    data = {
        "csrfmiddlewaretoken": token,
        "kind": "needlestick",
        "person": "staff",
        "staff_member": alice.pk,
        "occurred_at": "2024-03-10T02:30",  # New York's clocks jumped from 02:00 to 03:00
        "description": "Stuck with a used needle while capping it.",
        "immediate_action": "Washed, reported to occupational health.",
        "follow_up_required": "on",
    }
    skipped = client.post("/clinic/sharps/new/", data)
    assert "couldn’t be interpreted in time zone America/New_York" in skipped.content.decode().replace("&#x27;", "’")
    assert not SharpsIncident.objects.for_clinic(new_york).exists()
    response = client.post("/clinic/sharps/new/", data | {"occurred_at": "2024-03-23T22:30"})
    assert response.status_code in (302, 303), response.content.decode()[:2000]
    incident = SharpsIncident.objects.for_clinic(new_york).get()
    assert incident.occurred_at == STARTED


def test_check_in_reminder_email_dates_the_expiry_on_the_clinic_day(new_york, alice, late_session, mailoutbox):
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import send_due
    from dryneedling.patients.models import Patient

    Patient.objects.for_clinic(new_york).update(email="zelda@example.test")
    CheckIn.unscoped.filter(session=late_session).delete()
    expires = datetime(2030, 3, 5, 2, 0, tzinfo=UTC)  # 4 March in New York
    CheckIn.unscoped.create(
        clinic=new_york,
        patient=late_session.patient,
        episode=late_session.episode,
        session=late_session,
        kind="soreness",
        due_at=expires - timedelta(days=2),
        expires_at=expires,
    )
    assert send_due(now=expires - timedelta(days=1)) == 1
    assert "until 2030-03-04" in mailoutbox[0].body


def test_public_link_pages_run_in_the_links_clinic_zone(new_york, alice, late_session, anon_client):
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import checkin_link
    from dryneedling.web.views.followup import public

    check_in = CheckIn.unscoped.filter(session=late_session).first()
    seen: list[str] = []
    real = public.render

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(timezone.get_current_timezone_name())
        return real(*args, **kwargs)

    path = "/" + checkin_link(check_in).split("/", 3)[3]
    with mock.patch.object(public, "render", spy):
        assert anon_client.get(path).status_code == 200
    assert seen == ["America/New_York"]
    assert timezone.get_current_timezone_name() != "America/New_York"


STAFF_PAGES = [
    "/today/",
    "/patients/",
    "/patients/{patient}/",
    "/patients/{patient}/consent/",
    "/episodes/{episode}/chart/",
    "/episodes/{episode}/sessions/new/",
    "/episodes/{episode}/home-care/",
    "/sessions/{session}/",
    "/sessions/{session}/note/",
    "/sessions/{session}/superbill/",
    "/clinic/",
    "/followup/",
    "/clinic/audit/",
    "/patients/{patient}/access-report/",
    "/clinic/sharps/",
    "/clinic/sharps/new/",
    "/clinic/sharps/{incident}/",
    "/clinic/credentials/",
    "/accounts/sessions/",
    "/schedule/",
    "/schedule/week/",
]


@pytest.fixture
def everything(new_york, alice, mia, late_session):  # type: ignore[no-untyped-def]
    """A clinic with a serious side effect, a red flag, a home-care plan and a sharps incident."""
    from dryneedling.care.adverse import adverse_event_record
    from dryneedling.followup.homecare import home_care_plan_create
    from dryneedling.followup.models import Alert, CheckIn

    other = start_session(alice, late_session.episode)
    adverse_event_record(actor=alice, session=other, kind="pneumothorax", severity="serious", onset="after")
    check_in = CheckIn.unscoped.filter(session=late_session).first()
    Alert.unscoped.create(clinic=new_york, patient=late_session.patient, check_in=check_in, flags=["fever"])
    home_care_plan_create(actor=alice, episode=late_session.episode)
    incident = report(alice, occurred_at=STARTED)
    return {
        "patient": late_session.patient_id,
        "episode": late_session.episode_id,
        "session": late_session.pk,
        "incident": incident.pk,
    }


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_no_staff_page_labels_a_time_utc(everything, mia, url):
    """mia is a clinic admin who also needles: she reaches every page above."""
    response = _client_for(mia).get(url.format(**everything))
    assert response.status_code == 200, url
    page = response.content.decode()
    assert not re.search(r"\bUTC\b", page), (url, page[max(0, page.find("UTC") - 200) : page.find("UTC") + 50])


def test_the_audit_trail_filters_by_the_clinic_day(new_york, dana, alice):
    from dryneedling.accounts.models import AuditEvent

    AuditEvent.objects.create(actor=alice, actor_email=alice.email, clinic=new_york, action="test.tz", at=STARTED)
    client = _client_for(dana)
    that_evening = client.get("/clinic/audit/?action=test.tz&date_from=2024-03-23&date_to=2024-03-23").content.decode()
    assert "2024-03-23 22:30:00" in that_evening and "test.tz" in that_evening
    next_day = client.get("/clinic/audit/?action=test.tz&date_from=2024-03-24").content.decode()
    assert "No events." in next_day


def test_auckland_is_a_day_ahead_and_a_zone_the_server_lacks_falls_back_to_utc(clinic_a):
    from dryneedling.accounts import zones

    clinic_a.time_zone = "Pacific/Auckland"
    assert zones.stamp(datetime(2024, 3, 23, 13, 0, tzinfo=UTC), clinic_a) == "2024-03-24 02:00 Pacific/Auckland"
    clinic_a.time_zone = "Mars/Olympus_Mons"
    assert zones.zone_of(clinic_a).key == "UTC"
