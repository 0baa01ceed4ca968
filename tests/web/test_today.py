"""Today (issue 10): each role's lists, the red-flag mail and badge, a constant query count."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.followup.test_services import complete_session, complete_session_hours_ago, screened_patient
from tests.treatment.conftest import start_session


def _appointments(clinic, clinician, patient, count: int, *, status: str = "booked", offset: int = 0):  # type: ignore[no-untyped-def]
    """`count` appointments today from 12:00 + `offset` minutes, a minute apart (arrived at 12:00)."""
    from dryneedling.scheduling.models import Appointment
    from dryneedling.scheduling.services import appointment_types_seed

    kind = appointment_types_seed(clinic=clinic)[0]
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)  # the clinic's zone is UTC here
    return Appointment.objects.bulk_create(
        Appointment(
            clinic=clinic,
            clinician=clinician,
            patient=patient,
            appointment_type=kind,
            starts_at=now + timedelta(minutes=offset + i),
            ends_at=now + timedelta(minutes=offset + i + 30),
            status=status,
            arrived_at=now if status == "arrived" else None,
        )
        for i in range(count)
    )


def _token(check_in) -> str:  # type: ignore[no-untyped-def]
    from dryneedling.followup.services import checkin_link

    return urlsplit(checkin_link(check_in)).path.split("/")[2]


def _soreness(alice, mrn="T-1", *, answerable=False):  # type: ignore[no-untyped-def]
    """A completed session's soreness check-in; `answerable`: the session ended 24 h ago, so its
    link takes the 24 h reading (issue 11)."""
    from dryneedling.followup.models import CheckIn

    _, episode = screened_patient(alice, mrn, "Rosa", "Quintero")
    session = complete_session_hours_ago(alice, episode, 24) if answerable else complete_session(alice, episode)
    return session, CheckIn.unscoped.get(session=session, kind="soreness")


# --- selectors per role -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_clinician_selectors_are_their_own(alice, mia):
    from dryneedling.treatment import selectors

    _, episode = screened_patient(alice, "S-1", "Ana", "Ortiz")
    open_session = start_session(alice, episode)
    assert list(selectors.sessions_open_of(actor=alice)) == [open_session]
    assert list(selectors.sessions_open_of(actor=mia)) == []  # not her session
    assert list(selectors.notes_unsigned_of(actor=alice)) == []  # in progress: not yet to sign


@pytest.mark.django_db
def test_unsigned_notes_and_superbills(alice, bob, dana):
    from django.core.exceptions import PermissionDenied

    from dryneedling.scheduling.selectors import today_bounds_for
    from dryneedling.treatment import selectors
    from dryneedling.treatment.models import Note
    from dryneedling.treatment.services.note import note_sign

    session, _ = _soreness(alice)
    assert [n.session_id for n in selectors.notes_unsigned_of(actor=alice)] == [session.pk]
    _, start, end = today_bounds_for(actor=bob)
    assert list(selectors.superbills_between(actor=bob, start=start, end=end)) == []  # not signed yet
    note_sign(actor=alice, session_id=session.pk, expected_version=Note.unscoped.get(session=session).version)
    assert list(selectors.notes_unsigned_of(actor=alice)) == []
    assert list(selectors.superbills_between(actor=bob, start=start, end=end)) == [session]
    with pytest.raises(PermissionDenied):
        selectors.sessions_open_of(actor=bob)
    with pytest.raises(PermissionDenied):
        selectors.superbills_between(actor=dana, start=start, end=end)


@pytest.mark.django_db
def test_arrivals_and_overdue_and_admin_lists(alice, bob, dana, carol, clinic_a, patient_a):
    from dryneedling.accounts.selectors import accounts_locked_for
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.selectors import checkins_overdue_for
    from dryneedling.scheduling.selectors import arrivals_for, today_bounds_for, waiting_for

    _appointments(clinic_a, alice, patient_a, 2)
    _appointments(clinic_a, alice, patient_a, 1, status="cancelled")
    _appointments(clinic_a, alice, patient_a, 3, status="arrived")
    day, _, _ = today_bounds_for(actor=bob)
    assert len(arrivals_for(actor=bob, day=day)) == 2  # still expected: booked only
    assert len(waiting_for(actor=bob, day=day)) == 3
    assert len(arrivals_for(actor=carol, day=day)) == 0  # clinic B sees none of clinic A's
    _, check_in = _soreness(alice)
    assert checkins_overdue_for(actor=alice) == []
    now = timezone.now()
    CheckIn.unscoped.filter(pk=check_in.pk).update(
        due_at=now - timedelta(hours=60), expires_at=now + timedelta(hours=1)
    )
    assert [c.pk for c in checkins_overdue_for(actor=alice)] == [check_in.pk]
    assert checkins_overdue_for(actor=carol) == []
    assert list(accounts_locked_for(actor=dana)) == []


@pytest.mark.django_db
def test_overdue_check_ins_in_due_order_up_to_the_limit(alice):
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.selectors import checkins_overdue_for

    now = timezone.now()
    windows = {  # kind, due days ago, open days: overdue once past the middle of the window
        "O-1": ("week_1", 5, 6),  # overdue
        "O-2": ("week_4", 9, 10),  # overdue, due earlier
        "O-3": ("week_1", 1, 6),  # due, not overdue yet
        "O-4": ("week_12", 20, 21),  # overdue: the longest window the services schedule is 21 days
        "O-5": ("soreness", 2.5, 3),  # overdue, the seeder's 72 h soreness window
        "O-6": ("soreness", 2.9, 2),  # expired
        "O-7": ("week_4", 12, 10),  # expired
    }
    ids = {}
    for mrn, (kind, ago, open_days) in windows.items():
        _, check_in = _soreness(alice, mrn)
        due = now - timedelta(days=ago)
        CheckIn.unscoped.filter(pk=check_in.pk).update(
            kind=kind, due_at=due, expires_at=due + timedelta(days=open_days)
        )
        ids[mrn] = check_in.pk
    expected = [ids["O-4"], ids["O-2"], ids["O-1"], ids["O-5"]]
    assert [c.pk for c in checkins_overdue_for(actor=alice)] == expected
    assert [c.pk for c in checkins_overdue_for(actor=alice, limit=2)] == expected[:2]
    assert checkins_overdue_for(actor=alice)[0].patient.mrn == "O-4"
    CheckIn.unscoped.filter(pk=ids["O-2"]).update(answered_at=now)
    assert [c.pk for c in checkins_overdue_for(actor=alice)] == [ids["O-4"], ids["O-1"], ids["O-5"]]


@pytest.mark.django_db
def test_no_check_in_of_a_kind_is_open_longer_than_todays_list_reads(clinic_a):
    """Today's overdue list reads each kind from its longest window (issue 14): the services and the
    synthetic seeder schedule none longer."""
    from dryneedling.followup import services
    from dryneedling.followup.models import CheckIn
    from dryneedling.synthetic.loader import seed_clinic

    windows = CheckIn.OPEN_WINDOWS
    assert set(windows) == set(CheckIn.Kind.values)
    assert services.SORENESS_OPEN - services.SORENESS_DUE <= windows[CheckIn.Kind.SORENESS]
    for kind, (_, open_days) in services.COURSE_CHECKS.items():
        assert timedelta(days=open_days) <= windows[kind]
    assert max(windows.values()) <= CheckIn.LONGEST_OPEN_WINDOW
    seed_clinic(clinic=clinic_a, patients=10, seed=47)
    seeded = CheckIn.objects.for_clinic(clinic_a).values_list("kind", "due_at", "expires_at")
    assert seeded and all(expires - due <= windows[kind] for kind, due, expires in seeded)


def test_no_check_in_is_scheduled_open_longer_than_the_worklists_read():
    from dryneedling.followup import services
    from dryneedling.followup.models import CheckIn

    open_after_due = [services.SORENESS_OPEN - services.SORENESS_DUE]
    open_after_due += [timedelta(days=open_days) for _, open_days in services.COURSE_CHECKS.values()]
    assert max(open_after_due) <= CheckIn.LONGEST_OPEN_WINDOW


@pytest.mark.django_db
def test_locked_accounts_list_members_of_the_clinic_only(alice, dana, carol, settings):
    from axes.models import AccessAttempt

    from dryneedling.accounts.selectors import accounts_locked_for

    for user in (alice, carol):
        AccessAttempt.objects.create(
            username=user.email, ip_address="10.0.0.1", user_agent="t", failures_since_start=settings.AXES_FAILURE_LIMIT
        )
    assert list(accounts_locked_for(actor=dana)) == [alice]


# --- the red flag reaches people --------------------------------------------------------------------
ANSWER = {"soreness": "3", "side_effects": [], "resolved": "yes", "flag_breathing": "yes"}


@pytest.mark.django_db(transaction=True)
def test_red_flag_mails_the_clinician_and_the_alert_address(alice, clinic_a, mailoutbox, settings):
    from dryneedling.followup.services import RED_FLAG_SUBJECT, checkin_answer

    settings.PUBLIC_BASE_URL = "https://clinic.example.test"
    clinic_a.alert_email = "alerts@clinic-a.example.test"
    clinic_a.save(update_fields=["alert_email"])
    _, check_in = _soreness(alice, answerable=True)
    mailoutbox.clear()
    checkin_answer(token=_token(check_in), raw=ANSWER)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == sorted([alice.email, "alerts@clinic-a.example.test"])
    assert mail.subject == RED_FLAG_SUBJECT
    for private in ("Rosa", "Quintero", "T-1", "breath", "soreness"):
        assert private not in mail.subject and private not in mail.body
    assert "https://clinic.example.test/followup/" in mail.body


@pytest.mark.django_db(transaction=True)
def test_red_flag_on_an_incomplete_check_in_is_raised_and_mailed_once(alice, client, mailoutbox):
    from dryneedling.followup.models import Alert, CheckIn

    _, check_in = _soreness(alice, answerable=True)
    mailoutbox.clear()
    url = f"/c/{_token(check_in)}/"
    response = client.post(url, {"flag_breathing": "yes"})  # nothing else answered
    assert response.status_code == 400
    alert = Alert.unscoped.get(check_in=check_in)
    assert alert.flags == ["breathing"] and alert.acknowledged_at is None
    assert [m.to for m in mailoutbox] == [[alice.email]]
    client.post(url, {"flag_breathing": "yes"})  # the same flag again: nothing new
    assert len(mailoutbox) == 1
    check_in.refresh_from_db()
    assert check_in.answered_at is None  # the link stays open for the rest
    # Finishing the form with the same flag keeps the one alert.
    assert client.post(url, ANSWER).status_code == 200
    assert Alert.unscoped.filter(check_in=check_in).count() == 1
    assert CheckIn.unscoped.get(pk=check_in.pk).answered_at is not None
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_nav_badge_counts_open_red_flags_for_clinicians_only(alice, bob, alice_client, bob_client):
    from dryneedling.followup.models import Alert
    from dryneedling.followup.services import checkin_answer

    assert alice_client.get("/today/").context["red_flags_open"] == 0
    _, check_in = _soreness(alice, answerable=True)
    checkin_answer(token=_token(check_in), raw=ANSWER)
    page = alice_client.get("/today/")
    assert page.context["red_flags_open"] == 1
    assert 'title="Open red flags">1<span class="visually-hidden"> open red flag</span>' in page.content.decode()
    assert "Rosa Quintero" in page.content.decode()  # on Today's red-flag list
    assert bob_client.get("/today/").context["red_flags_open"] == 0
    Alert.unscoped.update(acknowledged_at=timezone.now(), acknowledged_by=alice)
    assert alice_client.get("/today/").context["red_flags_open"] == 0


@pytest.mark.django_db
def test_nav_badge_count_stops_at_its_cap(alice, alice_client):
    """The badge is on every clinician's page: its COUNT reads at most cap + 1 open flags (issue 14)."""
    from dryneedling.followup.selectors import red_flags_open_count

    for mrn in ("R-1", "R-2"):
        _, check_in = _soreness(alice, mrn, answerable=True)
        checkin_answer_red_flag(check_in)
    clinic_id = check_in.clinic_id
    assert red_flags_open_count(clinic_id=clinic_id) == 2
    with CaptureQueriesContext(connection) as ctx:
        assert red_flags_open_count(clinic_id=clinic_id, cap=0) == 1  # "more than 0"
    assert "LIMIT 1" in ctx.captured_queries[0]["sql"]
    assert alice_client.get("/today/").context["red_flags_open"] == 2


def checkin_answer_red_flag(check_in) -> None:  # type: ignore[no-untyped-def]
    from dryneedling.followup.services import checkin_answer

    checkin_answer(token=_token(check_in), raw=ANSWER)


# --- the page -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_home_redirects_to_today_and_each_role_sees_its_lists(alice_client, bob_client, dana_client):
    response = alice_client.get("/")
    assert response.status_code == 302 and response["Location"] == "/today/"
    alice = alice_client.get("/today/").content.decode()
    bob = bob_client.get("/today/").content.decode()
    dana = dana_client.get("/today/").content.decode()
    assert 'id="today-unsigned"' in alice and 'id="today-superbills"' not in alice
    assert 'id="today-arrivals"' in bob and 'id="today-superbills"' in bob and 'id="today-unsigned"' not in bob
    assert 'id="today-waiting"' in bob and 'id="today-appointments"' not in bob  # the day once, as the desk acts
    assert 'id="today-appointments"' in alice and 'id="today-arrivals"' not in alice
    assert 'id="today-sharps"' in dana and 'id="today-locked"' in dana and 'id="today-red-flags"' not in dana
    nav = alice[alice.index('aria-label="Main"') :]
    assert nav.index(">Today") < nav.index(">Patients") < nav.index(">Follow-up")
    desk_nav = bob[bob.index('aria-label="Main"') :]
    assert ">Follow-up" not in desk_nav and ">Side effects" not in desk_nav  # clinical pages: clinicians only


def _count(client) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/today/").status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_today_query_count_is_constant(alice, clinic_a, alice_client, bob_client, patient_a):
    from dryneedling.followup.services import checkin_answer

    _appointments(clinic_a, alice, patient_a, 1)
    _, check_in = _soreness(alice, "Q-1", answerable=True)
    checkin_answer(token=_token(check_in), raw=ANSWER)
    few, few_bob = _count(alice_client), _count(bob_client)
    _appointments(clinic_a, alice, patient_a, 30)
    for n in range(3):
        _, check_in = _soreness(alice, f"Q-{n + 2}", answerable=True)
        checkin_answer(token=_token(check_in), raw=ANSWER)
    assert _count(alice_client) == few
    assert _count(bob_client) == few_bob
    page = alice_client.get("/today/").content.decode()
    assert "More appointments" in page
