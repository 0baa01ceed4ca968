"""The appointment book's pages: booking with field errors, the day view, the next step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dryneedling.scheduling.models import Appointment
from dryneedling.scheduling.services import appointment_status_set
from tests.conftest import csrf_token
from tests.scheduling.conftest import MONDAY, at, book
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _post(client, url, data):  # type: ignore[no-untyped-def]
    return client.post(url, {"csrfmiddlewaretoken": csrf_token(client, url), **data})


def test_booking_through_the_form_and_the_errors_next_to_the_fields(
    bob_client, hours, patient_a, follow_up_type, alice
):
    data = {
        "clinician": alice.pk,
        "mrn": "A-0001",
        "appointment_type": follow_up_type.pk,
        "date": MONDAY,
        "time": "09:00",
    }
    response = _post(bob_client, "/schedule/book/", data)
    assert response.status_code == 302 and response["Location"] == "/schedule/?date=2030-03-04"
    day = bob_client.get(response["Location"]).content.decode()
    assert "09:00–09:30" in day and "Quimby, Zelda" in day  # shown in the clinic's zone
    again = _post(bob_client, "/schedule/book/", data)
    assert again.status_code == 200
    assert again.context["form"].errors["time"][0].startswith("Alice Adams already has an appointment from 09:00")
    unknown = _post(bob_client, "/schedule/book/", data | {"mrn": "NOPE-1", "time": "10:00"})
    assert "No patient with this MRN" in unknown.context["form"].errors["mrn"][0]
    late = _post(bob_client, "/schedule/book/", data | {"time": "18:00"})
    assert "outside Alice Adams" in late.context["form"].errors["time"][0]
    garbage = _post(bob_client, "/schedule/book/", data | {"time": "25:99", "date": "soon", "clinician": "x"})
    assert garbage.status_code == 200 and set(garbage.context["form"].errors) >= {"time", "date", "clinician"}
    assert Appointment.objects.for_clinic(patient_a.clinic_id).count() == 1


def test_a_time_the_clocks_skip_is_a_field_error(bob_client, hours, patient_a, follow_up_type, alice):
    from dryneedling.scheduling.models import WorkingHours

    WorkingHours.objects.create(clinic=patient_a.clinic, clinician=alice, weekday=6, starts="00:00", ends="06:00")
    data = {
        "clinician": alice.pk,
        "mrn": "A-0001",
        "appointment_type": follow_up_type.pk,
        "date": "2030-03-31",
        "time": "02:30",
    }
    response = _post(bob_client, "/schedule/book/", data)
    assert "does not exist in Europe/Berlin" in response.context["form"].errors["time"][0]


def test_bad_query_strings_fall_back_to_today(bob_client, hours):
    for query in ("?date=31-31-2030", "?clinician=abc", "?page=-1", "?date=2030-02-30&clinician=999999"):
        assert bob_client.get(f"/schedule/{query}").status_code == 200
        assert bob_client.get(f"/schedule/week/{query}").status_code == 200


def test_the_day_view_pages_long_days(bob_client, bob, alice, hours, patient_a, follow_up_type):
    from dryneedling.scheduling.models import WorkingHours

    WorkingHours.objects.filter(clinician=alice).delete()
    WorkingHours.objects.create(clinic=patient_a.clinic, clinician=alice, weekday=0, starts="00:00", ends="23:59")
    for i in range(45):
        book(bob, alice, patient_a, follow_up_type, at(MONDAY, 0) + timedelta(minutes=30 * i))
    first = bob_client.get("/schedule/?date=2030-03-04")
    assert len(first.context["page"].object_list) == 40 and "Page 1 of 2" in first.content.decode()
    assert len(bob_client.get("/schedule/?date=2030-03-04&page=2").context["page"].object_list) == 5


def test_next_step_is_the_screening_when_none_is_on_file(alice_client, bob, alice, hours, patient_a, follow_up_type):
    appointment = book(bob, alice, patient_a, follow_up_type, at(MONDAY, 9))
    assert alice_client.get(f"/appointments/{appointment.pk}/next/")["Location"] == f"/appointments/{appointment.pk}/"
    appointment_status_set(actor=bob, appointment=appointment, status="arrived")
    response = alice_client.get(f"/appointments/{appointment.pk}/next/")
    # the screening comes back to the next step when saved
    assert response["Location"] == f"/patients/{patient_a.pk}/intake/?next=/appointments/{appointment.pk}/next/"


def test_next_step_is_the_session_when_the_screening_is_current(
    alice_client,
    bob,
    alice,
    hours,
    ready_episode,  # noqa: F811
    follow_up_type,
):
    appointment = book(bob, alice, ready_episode.patient, follow_up_type, at(MONDAY, 9), episode=ready_episode)
    appointment_status_set(actor=bob, appointment=appointment, status="arrived")
    response = alice_client.get(f"/appointments/{appointment.pk}/next/")
    assert response["Location"] == f"/episodes/{ready_episode.pk}/sessions/new/"


def test_an_old_screening_sends_the_patient_to_be_screened_again(
    alice_client,
    bob,
    alice,
    hours,
    ready_episode,  # noqa: F811
    follow_up_type,
):
    from django.utils import timezone

    from dryneedling.intake.models import Screening

    Screening.objects.for_record(ready_episode).update(performed_at=timezone.now() - timedelta(days=400))
    appointment = book(bob, alice, ready_episode.patient, follow_up_type, at(MONDAY, 9))  # no episode: the active one
    appointment_status_set(actor=bob, appointment=appointment, status="arrived")
    assert "/intake/?next=" in alice_client.get(f"/appointments/{appointment.pk}/next/")["Location"]


def test_next_step_after_the_screening_is_the_consent_then_the_session(
    alice_client, bob, alice, hours, patient_a, follow_up_type
):
    from dryneedling.clinical.intake import all_clear_answers
    from dryneedling.intake.services import screening_record
    from dryneedling.patients.services import episode_create
    from dryneedling.treatment.services.chart import consent_record, optional_consent_items

    episode = episode_create(
        actor=alice,
        patient=patient_a,
        conditions=[("M54.2", "Cervicalgia")],
        reason="Neck",
        referral_source="self",
        start_date=date(2026, 1, 5),
        end_date=None,
        status="active",
    )
    screening_record(actor=alice, patient=patient_a, answers=all_clear_answers())
    appointment = book(bob, alice, patient_a, follow_up_type, at(MONDAY, 9))
    appointment_status_set(actor=bob, appointment=appointment, status="arrived")
    step = f"/appointments/{appointment.pk}/next/"
    assert alice_client.get(step)["Location"] == f"/patients/{patient_a.pk}/consent/?next={step}"
    consent_record(
        actor=alice, patient=patient_a, signed_name=patient_a.display_name, optional_items=optional_consent_items()
    )
    assert alice_client.get(step)["Location"] == f"/episodes/{episode.pk}/sessions/new/"


def test_a_saved_screening_goes_on_to_the_next_step_and_never_off_site(alice_client, patient_a):
    from tests.intake.test_intake_form import NO_FLAGS, _form_data

    url = f"/patients/{patient_a.pk}/intake/"
    data = _form_data(NO_FLAGS) | {"csrfmiddlewaretoken": csrf_token(alice_client, url)}
    saved = alice_client.post(url + "?next=/appointments/7/next/", data)
    assert saved.status_code == 302 and saved["Location"] == "/appointments/7/next/"
    again = alice_client.post(url + "?next=https://evil.example/", data)
    assert again["Location"] == f"/patients/{patient_a.pk}/"


def test_a_done_visit_has_no_next_step(alice_client, bob, alice, hours, patient_a, follow_up_type):
    appointment = book(bob, alice, patient_a, follow_up_type, at(MONDAY, 9))
    appointment_status_set(actor=bob, appointment=appointment, status="arrived")
    appointment_status_set(actor=alice, appointment=appointment, status="done")
    response = alice_client.get(f"/appointments/{appointment.pk}/next/", follow=True)
    assert "This visit is done" in response.content.decode()


def test_refusals_say_why(dana_client, alice_client, bob, alice, hours, patient_a, follow_up_type):
    appointment = book(bob, alice, patient_a, follow_up_type, at(MONDAY, 9))
    url = f"/appointments/{appointment.pk}/cancel/"
    token = csrf_token(dana_client, f"/appointments/{appointment.pk}/")
    refused = dana_client.post(url, {"csrfmiddlewaretoken": token, "reason": "x"})
    assert refused.status_code == 403 and b"front desk and clinicians" in refused.content
    feed = dana_client.get("/schedule/calendar-feed/")
    assert feed.status_code == 403 and b"Calendar feeds are for clinicians" in feed.content
    assert "Appointments" in alice_client.get("/patients/").content.decode()  # in the navigation


def test_the_day_and_week_views_read_a_constant_number_of_queries(
    bob_client, alice_client, bob, alice, hours, patient_a, follow_up_type
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client, url):  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    day, week = "/schedule/?date=2030-03-04", "/schedule/week/?date=2030-03-04"
    book(bob, alice, patient_a, follow_up_type, at(MONDAY, 8))
    few = count(bob_client, day), count(alice_client, week)
    for hour in range(9, 12):
        book(bob, alice, patient_a, follow_up_type, at(MONDAY, hour))
        book(bob, alice, patient_a, follow_up_type, at(MONDAY + timedelta(days=1), hour))
    assert (count(bob_client, day), count(alice_client, week)) == few
    assert max(few) <= 12
    print("queries (day view, week view):", few)
