"""Soreness readings of a session (issue 11): the patient's 24/48/72 h readings through the one
soreness link, refused in words outside their windows; the clinician's 0 h reading; the trend."""

# ruff: noqa: F811
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.followup.test_links_and_pages import SORENESS_OK, path_of, post_public
from tests.followup.test_services import complete_session_hours_ago, move_session_back
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _soreness_link(alice, episode, hours):  # type: ignore[no-untyped-def]
    from dryneedling.followup.services import checkin_link

    session = complete_session_hours_ago(alice, episode, hours)
    check_in = session.check_ins.get(kind="soreness")
    return session, check_in, path_of(checkin_link(check_in))


def _readings(session):  # type: ignore[no-untyped-def]
    from dryneedling.followup.models import SorenessReading

    return {r.hours: (r.score, r.source) for r in SorenessReading.unscoped.filter(session=session)}


def test_too_early_the_page_says_when_and_refuses_in_words_but_takes_a_red_flag(anon_client, alice, ready_episode):
    from dryneedling.followup.models import Alert

    session, check_in, url = _soreness_link(alice, ready_episode, 3)
    page = anon_client.get(url).content.decode()
    assert "Your 24-hour soreness reading is not due yet: please come back from" in page
    assert 'name="soreness"' not in page and 'name="flag_breathing"' in page  # red flags always reach the clinic
    refused = post_public(anon_client, url, SORENESS_OK)
    assert refused.status_code == 400
    assert "Your 24-hour soreness reading is not due yet" in refused.content.decode()
    check_in.refresh_from_db()
    assert check_in.answered_at is None and _readings(session) == {}
    flagged = post_public(anon_client, url, {"flag_infection": "yes"})
    assert flagged.status_code == 400 and "Get help now" in flagged.content.decode()
    assert Alert.unscoped.get(check_in=check_in).flags == ["infection"]


def test_one_link_takes_the_24_48_and_72_hour_readings(anon_client, alice, ready_episode):
    from dryneedling.accounts.models import AuditEvent
    from dryneedling.followup.models import OutcomeRecord, PatientLink

    session, check_in, url = _soreness_link(alice, ready_episode, 24)
    page = anon_client.get(url).content.decode()
    assert "Your <strong>24-hour</strong> soreness reading is due now" in page
    assert 'name="side_effects"' in page  # the first reading asks the check-in's questions too
    done = post_public(anon_client, url, SORENESS_OK)
    assert done.status_code == 200
    assert "Your next soreness reading (48 hours after the session) is due from" in done.content.decode()
    check_in.refresh_from_db()
    assert check_in.answered_at is not None and check_in.answers["soreness"] == 3
    assert _readings(session) == {24: (3, "patient")}

    move_session_back(session.pk, 24)  # 48 h after the session
    page = anon_client.get(url).content.decode()
    assert "Your <strong>48-hour</strong> soreness reading is due now" in page
    assert 'name="side_effects"' not in page  # a later reading asks the score (and red flags) only
    missing = post_public(anon_client, url, {})
    assert missing.status_code == 400 and "please answer this question" in missing.content.decode()
    assert post_public(anon_client, url, {"soreness": "1"}).status_code == 200
    assert _readings(session) == {24: (3, "patient"), 48: (1, "patient")}
    check_in.refresh_from_db()
    assert check_in.answers["soreness"] == 3  # the check-in's answers stay those of the first reading
    assert OutcomeRecord.unscoped.filter(check_in=check_in).count() == 1
    assert PatientLink.unscoped.get(check_in=check_in).used_at is None

    move_session_back(session.pk, 24)  # 72 h
    assert post_public(anon_client, url, {"soreness": "0", "flag_severe_pain": "yes"}).status_code == 200
    assert _readings(session)[72] == (0, "patient")
    check_in.refresh_from_db()
    assert check_in.red_flags == ["severe_pain"]  # a later reading's red flag is kept with the check-in
    assert PatientLink.unscoped.get(check_in=check_in).used_at is not None  # nothing left to give
    assert anon_client.get(url).status_code == 410
    events = AuditEvent.objects.filter(action="soreness_reading.create")
    assert events.count() == 3 and all(e.actor_id is None for e in events)


def test_a_missed_window_moves_to_the_next_reading_and_the_link_closes_after_72_hours(
    anon_client, alice, ready_episode
):  # type: ignore[no-untyped-def]
    session, check_in, url = _soreness_link(alice, ready_episode, 40)
    page = anon_client.get(url).content.decode()
    assert "Your 48-hour soreness reading is not due yet" in page
    move_session_back(session.pk, 40)  # 80 h: every window closed, and the check-in with them
    assert anon_client.get(url).status_code == 410


def test_the_clinician_enters_the_0_hour_reading_and_may_correct_it(alice, bob, ready_episode):
    from dryneedling.accounts.models import AuditEvent
    from dryneedling.followup.soreness import soreness_reading_at_session_end

    session = complete_session_hours_ago(alice, ready_episode, 1)
    with pytest.raises(ValidationError, match="choose a whole number from 0 to 10"):
        soreness_reading_at_session_end(actor=alice, session=session, score="12")
    soreness_reading_at_session_end(actor=alice, session=session, score="6")
    soreness_reading_at_session_end(actor=alice, session=session, score="5")
    assert _readings(session) == {0: (5, "clinic")}
    corrected = AuditEvent.objects.get(action="soreness_reading.correct")
    assert corrected.detail["before"] == 6 and corrected.detail["after"] == 5
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        soreness_reading_at_session_end(actor=bob, session=session, score="3")


def test_the_trend_is_on_the_session_page_and_the_patient_page_with_its_source(
    alice_client, anon_client, alice, ready_episode, patient_a
):  # type: ignore[no-untyped-def]
    from dryneedling.followup.soreness import soreness_reading_at_session_end

    session, check_in, url = _soreness_link(alice, ready_episode, 24)
    soreness_reading_at_session_end(actor=alice, session=session, score=6)
    assert post_public(anon_client, url, {**SORENESS_OK, "soreness": "4"}).status_code == 200
    for page in (f"/sessions/{session.pk}/", f"/patients/{patient_a.pk}/"):
        body = alice_client.get(page).content.decode()
        assert "0 h 6 → 24 h 4: settling" in body, page
        assert "(entered in the clinic)" in body and "(reported by the patient)" in body
        assert "Navarro-Santana 2020, Table 5; Martin-Pintado-Zugasti 2016) [V]" in body


def test_the_0_hour_reading_is_an_optional_field_of_the_completion_form(alice_client, alice, ready_episode):
    from dryneedling.followup.models import SorenessReading
    from tests.treatment.conftest import record, start_session

    session = start_session(alice, ready_episode)
    record(alice, session)
    session.refresh_from_db()
    from tests.conftest import csrf_token

    token = csrf_token(alice_client, f"/sessions/{session.pk}/")
    data = {"version": session.version, "needles_used": 1, "needles_removed": 1, "soreness_now": "11"}
    data["csrfmiddlewaretoken"] = token
    refused = alice_client.post(f"/sessions/{session.pk}/complete/", data)
    assert refused.status_code == 200 and "Ensure this value is less than or equal to 10." in refused.content.decode()
    session.refresh_from_db()
    assert session.status == "in_progress"
    done = alice_client.post(f"/sessions/{session.pk}/complete/", {**data, "soreness_now": "5"})
    assert done.status_code == 302
    reading = SorenessReading.unscoped.get(session=session)
    assert (reading.hours, reading.score, reading.source, reading.entered_by_id) == (0, 5, "clinic", alice.pk)


def test_the_patient_page_shows_the_stored_verdicts_with_their_rule_and_source(
    alice_client, alice, ready_episode, patient_a
):  # type: ignore[no-untyped-def]
    from dryneedling.followup.services import outcome_record

    outcome_record(actor=alice, episode=ready_episode, instrument_id="nprs", total=7)
    outcome_record(actor=alice, episode=ready_episode, instrument_id="nprs", total=3)
    outcome_record(actor=alice, episode=ready_episode, instrument_id="ndi", total=40)
    body = alice_client.get(f"/patients/{patient_a.pk}/").content.decode()
    assert "Outcomes: baseline → latest" in body
    assert "Improvement +4 points: reaches the MCID 2 points" in body
    assert "Baseline only: no change to judge yet." in body
