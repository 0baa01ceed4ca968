"""The clinic's course check-in schedule (issue 10): one or more of 1, 4 and 12 weeks; courses
completed afterwards follow it; check-ins already scheduled keep their dates."""

# ruff: noqa: F811
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dryneedling.accounts.models import AuditEvent
from dryneedling.followup.models import CheckIn
from dryneedling.followup.schedule import check_in_schedule_set, course_kinds_of, schedule_words
from dryneedling.followup.services import course_complete
from tests.conftest import csrf_token
from tests.followup.test_services import complete_session, screened_patient
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
URL = "/clinic/settings/check-ins/"


def test_a_clinic_that_chose_nothing_uses_all_three(clinic_a):
    assert course_kinds_of(clinic_id=clinic_a.pk) == ("week_1", "week_4", "week_12")
    assert schedule_words(course_kinds_of(clinic_id=clinic_a.pk)) == "1, 4 and 12 weeks"
    assert schedule_words(["week_1"]) == "1 week" and schedule_words(["week_4", "week_12"]) == "4 and 12 weeks"


def test_the_choice_is_audited_with_before_and_after(dana, clinic_a):
    check_in_schedule_set(actor=dana, kinds=["week_12", "week_4"])
    assert course_kinds_of(clinic_id=clinic_a.pk) == ("week_4", "week_12")
    event = AuditEvent.objects.get(action="clinic.check_in_schedule.set")
    assert event.detail == {"before": ["week_1", "week_4", "week_12"], "after": ["week_4", "week_12"]}


@pytest.mark.parametrize(
    "kinds, words", [([], "at least one"), (["week_26"], "Choose among"), (["soreness"], "Choose among")]
)
def test_bad_choices_are_refused(dana, kinds, words):
    with pytest.raises(ValidationError) as error:
        check_in_schedule_set(actor=dana, kinds=kinds)
    assert words in " ".join(error.value.message_dict["kinds"])


def test_only_a_clinic_admin_chooses(alice, bob):
    for actor in (alice, bob):
        with pytest.raises(PermissionDenied, match="Only a clinic admin"):
            check_in_schedule_set(actor=actor, kinds=["week_4"])


def test_courses_follow_the_schedule_and_earlier_check_ins_stay(alice, dana, ready_episode):
    """Zelda's course completes under the default; then the clinic keeps only 4 weeks; the next
    patient's course gets 4 weeks only, and Zelda's three check-ins keep their dates."""
    complete_session(alice, ready_episode, ended_ago=timedelta(days=2))
    first = course_complete(actor=alice, episode=ready_episode)
    dates = {c.pk: (c.kind, c.due_at) for c in first}
    check_in_schedule_set(actor=dana, kinds=["week_4"])

    _, second_episode = screened_patient(alice, "A-0009", "Yuri", "Young")
    last = complete_session(alice, second_episode)
    second = course_complete(actor=alice, episode=second_episode)
    assert [c.kind for c in second] == ["week_4"]
    assert second[0].due_at == last.ended_at + timedelta(days=28)
    kept = CheckIn.unscoped.filter(episode=ready_episode).exclude(kind="soreness")
    assert {c.pk: (c.kind, c.due_at) for c in kept} == dates


def test_the_page_shows_and_saves_the_schedule_with_its_sources(dana_client, clinic_a):
    page = dana_client.get(URL).content.decode()
    assert "1, 4 and 12 weeks" in page and "Sanchez-Infante" in page and "Gattie" in page
    token = csrf_token(dana_client, URL)
    done = dana_client.post(URL, {"csrfmiddlewaretoken": token, "kinds": ["week_1", "week_12"]}, follow=True)
    assert "courses completed from now on get 1 and 12 weeks" in done.content.decode()
    empty = dana_client.post(URL, {"csrfmiddlewaretoken": token})
    assert empty.status_code == 200 and "Choose at least one check-in" in empty.content.decode()
    assert course_kinds_of(clinic_id=clinic_a.pk) == ("week_1", "week_12")


def test_the_course_message_names_the_clinics_schedule(alice_client, alice, dana, ready_episode):
    """The button says "the clinic's check-ins" (naming them would cost the patient page a query
    on every view: tests/accounts/test_tenancy.py keeps its budget); the message names them."""
    check_in_schedule_set(actor=dana, kinds=["week_4", "week_12"])
    complete_session(alice, ready_episode)
    patient_url = f"/patients/{ready_episode.patient_id}/"
    assert "schedule the clinic's follow-up check-ins" in alice_client.get(patient_url).content.decode()
    url = f"/episodes/{ready_episode.pk}/course-complete/"
    done = alice_client.post(url, {"csrfmiddlewaretoken": csrf_token(alice_client, patient_url)}, follow=True)
    assert "check-ins scheduled at 4 and 12 weeks" in done.content.decode()


def test_non_admins_are_told_why(alice_client):
    page = alice_client.get(URL)
    assert page.status_code == 403 and "Only a clinic admin" in page.content.decode()
