"""Patient links (check-in, home care, consent) and the follow-up pages, through Django's test client.

Refused links get one generic page (404 not valid, 410 expired/used) that names no patient. Answers are
validated before anything is stored; red flags raise an alert; home-care plans are generated, edited
with a version check and read by link; consent is signed by link; the education page shows the
clinic's fee and reads at grade 8 or lower.
"""

# ruff: noqa: F811
from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from tests.conftest import csrf_token
from tests.followup.test_services import (
    complete_session,
    complete_session_hours_ago,
    move_session_back,
    screened_patient,
)
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

SORENESS_OK = {"soreness": "3", "side_effects": ["bruising", "pain_after"], "resolved": "no"}
WEEK_OK = {
    "pain": "6",
    "activity_1": "Typing",
    "activity_1_score": "4",
    "activity_2": "Driving",
    "activity_2_score": "7",
    "activity_3": "Sleeping on my side",
    "activity_3_score": "5",
    "groc": "3",
    "adherence": "most_days",
}
NOT_VALID = "This link is not valid."
EXPIRED = "This link has expired."
USED = "This form has already been answered."


def path_of(link: str) -> str:
    assert link.startswith(settings.PUBLIC_BASE_URL + "/"), link
    return urlsplit(link).path


def tamper(token: str) -> str:
    """The token with one character in its middle changed."""
    middle = len(token) // 2
    swap = "B" if token[middle] != "B" else "C"
    return token[:middle] + swap + token[middle + 1 :]


def assert_no_patient_data(content: bytes, patient) -> None:  # type: ignore[no-untyped-def]
    text = content.decode()
    for value in (patient.given_name, patient.family_name, patient.mrn, patient.phone, "1980-05-17"):
        if value:
            assert value not in text, value


def post_public(client, url: str, data: dict):  # type: ignore[no-untyped-def,type-arg]
    """POST a patient form as a browser would: GET it (CSRF cookie and token), then POST."""
    token = csrf_token(client, url)
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


@pytest.fixture
def soreness(alice, ready_episode):  # type: ignore[no-untyped-def]
    """The soreness check-in scheduled by completing a session of patient_a (Zelda Quimby), 24 h
    ago: its link asks for the 24 h reading."""
    complete_session_hours_ago(alice, ready_episode)
    return ready_episode.check_ins.get(kind="soreness")


@pytest.fixture
def week_4(alice, soreness, ready_episode):  # type: ignore[no-untyped-def]
    """The week-4 check-in, made due now."""
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import course_complete

    course_complete(actor=alice, episode=ready_episode)
    now = timezone.now()
    CheckIn.unscoped.filter(episode=ready_episode, kind="week_4").update(
        due_at=now - timedelta(hours=1), expires_at=now + timedelta(days=14)
    )
    return CheckIn.unscoped.get(episode=ready_episode, kind="week_4")


def _nothing_stored(check_in) -> None:  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import AuditEvent
    from dryneedling.followup.models import Alert, OutcomeRecord

    check_in.refresh_from_db()
    assert check_in.answered_at is None and check_in.answers is None and check_in.red_flags == []
    assert not OutcomeRecord.unscoped.filter(check_in=check_in).exists()
    assert not Alert.unscoped.filter(check_in=check_in).exists()
    assert not AuditEvent.objects.filter(action="check_in.answer", object_id=str(check_in.pk)).exists()


# ---- refused links ------------------------------------------------------------------------------
def test_a_check_in_link_opens_the_form_without_naming_the_patient(anon_client, soreness, patient_a):
    from dryneedling.followup.services import checkin_link

    response = anon_client.get(path_of(checkin_link(soreness)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "How are you after your session?" in body
    assert "Shortness of breath or chest pain since the needling" in body
    assert "Clinic A" in body
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    assert_no_patient_data(response.content, patient_a)


@pytest.mark.parametrize(
    "case, status, message",
    [
        ("tampered", 404, NOT_VALID),
        ("reused", 410, USED),
        ("expired", 410, EXPIRED),
        ("home_care_token", 404, NOT_VALID),
        ("consent_token", 404, NOT_VALID),
        ("deleted_check_in", 404, NOT_VALID),
        ("unknown_id", 404, NOT_VALID),
        ("garbage", 404, NOT_VALID),
        ("too_long", 404, NOT_VALID),
    ],
)
def test_refused_check_in_links_get_the_generic_page(
    case,
    status,
    message,
    anon_client,
    alice,
    soreness,
    patient_a,
    ready_episode,
):  # type: ignore[no-untyped-def]
    from django.core import signing

    from dryneedling.followup.consent import consent_link_for
    from dryneedling.followup.homecare import home_care_link, home_care_plan_create
    from dryneedling.followup.links import salt_for
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import checkin_link

    good = path_of(checkin_link(soreness))
    token = good.split("/")[2]
    csrf = csrf_token(anon_client, good)  # the patient had the form open
    if case == "tampered":
        url = f"/c/{tamper(token)}/"
    elif case == "reused":  # the last (72 h) reading sent: nothing is left to give
        move_session_back(soreness.session_id, 48)
        assert post_public(anon_client, good, SORENESS_OK).status_code == 200
        url = good
    elif case == "expired":
        CheckIn.unscoped.filter(pk=soreness.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        url = good
    elif case == "home_care_token":  # a valid token for another purpose, same object id space
        plan = home_care_plan_create(actor=alice, episode=ready_episode)
        url = "/c/" + path_of(home_care_link(plan)).split("/")[2] + "/"
    elif case == "consent_token":
        url = "/c/" + path_of(consent_link_for(actor=alice, patient=patient_a)).split("/")[2] + "/"
    elif case == "deleted_check_in":  # the link's record is gone (its link row with it)
        url = good
        CheckIn.unscoped.filter(pk=soreness.pk).delete()
    elif case == "unknown_id":  # a well-signed random id that no link has
        url = f"/c/{signing.Signer(salt=salt_for('checkin')).sign('A' * 24)}/"
    elif case == "garbage":
        url = "/c/not-a-token/"
    else:
        url = f"/c/{token + 'A' * 400}/"

    for response in (anon_client.get(url), anon_client.post(url, {**SORENESS_OK, "csrfmiddlewaretoken": csrf})):
        assert response.status_code == status, (case, response.status_code)
        body = response.content.decode()
        assert "Link not available" in body and message in body
        assert "How are you" not in body and "<form" not in body
        assert "emergency services" in body  # the safety line is on every refusal
        assert_no_patient_data(response.content, patient_a)
        assert "Clinic A" not in body  # not even the clinic is named
    if case not in ("reused", "deleted_check_in"):
        _nothing_stored(soreness)


def test_a_check_in_token_does_not_open_other_links(anon_client, soreness, patient_a):
    from dryneedling.followup.services import checkin_link

    token = path_of(checkin_link(soreness)).split("/")[2]
    for url in (f"/h/{token}/", f"/h/{token}/plan.pdf", f"/s/{token}/"):
        response = anon_client.get(url)
        assert response.status_code == 404, url
        assert NOT_VALID in response.content.decode()
        assert_no_patient_data(response.content, patient_a)


# ---- answering ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "please answer this question"),
        ({"resolved": "no"}, "please answer this question"),
        ({"soreness": "11", "resolved": "no"}, "choose a number from 0 to 10"),
        ({"soreness": "-1", "resolved": "no"}, "choose a number from 0 to 10"),
        ({"soreness": "2.5", "resolved": "no"}, "choose a number from 0 to 10"),
        ({"soreness": "lots", "resolved": "no"}, "choose a number from 0 to 10"),
        ({"soreness": "3"}, "say whether it has settled"),
        ({"soreness": "3", "resolved": "maybe"}, "say whether it has settled"),
        ({"soreness": "3", "resolved": "no", "side_effects": ["bruising", "rash"]}, "choose from the list"),
    ],
)
def test_soreness_answers_are_validated_and_nothing_is_stored(data, message, anon_client, soreness):
    from dryneedling.followup.services import checkin_link

    url = path_of(checkin_link(soreness))
    response = post_public(anon_client, url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'<p class="error" role="alert">[^<]*' + re.escape(message), body), body
    assert "<form" in body  # the form again, to correct
    _nothing_stored(soreness)
    # The link still works.
    assert post_public(anon_client, url, SORENESS_OK).status_code == 200


@pytest.mark.parametrize(
    "change, message",
    [
        ({"pain": ""}, "please answer this question"),
        ({"pain": "12"}, "choose a number from 0 to 10"),
        ({"groc": "8"}, "choose a number from -7 to 7"),
        ({"groc": "-8"}, "choose a number from -7 to 7"),
        ({"activity_1_score": "11"}, "choose a number from 0 to 10"),
        ({"activity_1_score": ""}, "please answer this question"),
        ({"activity_2": ""}, "name the activity you rated"),
        (
            {f"activity_{i}{suffix}": "" for i in (1, 2, 3) for suffix in ("", "_score")},
            "name one activity and rate",
        ),
        ({"adherence": "sometimes"}, "say how often you did your home care"),
    ],
)
def test_follow_up_answers_are_validated_and_nothing_is_stored(change, message, anon_client, week_4):
    from dryneedling.followup.services import checkin_link

    response = post_public(anon_client, path_of(checkin_link(week_4)), WEEK_OK | change)
    assert response.status_code == 400
    assert message in response.content.decode()
    _nothing_stored(week_4)


def test_week_4_check_in_stores_nprs_psfs_and_groc(anon_client, week_4, patient_a, ready_episode):
    from dryneedling.accounts.models import AuditEvent
    from dryneedling.followup.models import Alert, OutcomeRecord
    from dryneedling.followup.services import checkin_link

    url = path_of(checkin_link(week_4))
    page = anon_client.get(url).content.decode()
    assert "How are you since your treatment?" in page and 'name="pain"' in page and 'name="groc"' in page
    response = post_public(anon_client, url, WEEK_OK)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Thank you" in body and "Get help now" not in body
    assert_no_patient_data(response.content, patient_a)

    week_4.refresh_from_db()
    assert week_4.answered_at is not None and week_4.red_flags == []
    assert week_4.answers == {
        "red_flags": [],
        "pain": 6,
        "activities": [
            {"name": "Typing", "score": 4},
            {"name": "Driving", "score": 7},
            {"name": "Sleeping on my side", "score": 5},
        ],
        "groc": 3,
        "adherence": "most_days",
    }
    rows = {r.instrument_id: r for r in OutcomeRecord.unscoped.filter(check_in=week_4)}
    assert set(rows) == {"nprs", "psfs", "groc"}
    assert rows["nprs"].value == 6 and rows["groc"].value == 3
    assert rows["psfs"].value == pytest.approx(5.33) and rows["psfs"].items == [4, 7, 5]
    for row in rows.values():
        assert (row.clinic_id, row.patient_id, row.episode_id) == (
            ready_episode.clinic_id,
            patient_a.pk,
            ready_episode.pk,
        )
        assert row.recorded_at == week_4.answered_at and row.entered_by is None
    assert not Alert.unscoped.exists()
    audit = AuditEvent.objects.get(action="check_in.answer")
    assert (audit.object_id, audit.actor_id, audit.clinic_id) == (str(week_4.pk), None, ready_episode.clinic_id)
    assert not AuditEvent.objects.filter(action="alert.create").exists()


@pytest.mark.parametrize("activities", [1, 2])
def test_fewer_than_three_activities_are_kept_but_not_scored_as_psfs(activities, anon_client, week_4):
    """The PSFS takes 3 to 5 activities; the form allows fewer. The answer is stored (no server
    error, a red flag still raises its alert) and no PSFS score is made up from one or two."""
    from dryneedling.followup.models import Alert, OutcomeRecord
    from dryneedling.followup.services import checkin_link

    data = WEEK_OK | {"activity_3": "", "activity_3_score": "", "flag_severe_pain": "yes"}
    if activities == 1:
        data |= {"activity_2": "", "activity_2_score": ""}
    response = post_public(anon_client, path_of(checkin_link(week_4)), data)
    assert response.status_code == 200
    assert "Get help now" in response.content.decode()
    week_4.refresh_from_db()
    assert len(week_4.answers["activities"]) == activities
    assert sorted(OutcomeRecord.unscoped.filter(check_in=week_4).values_list("instrument_id", flat=True)) == [
        "groc",
        "nprs",
    ]
    assert Alert.unscoped.get().flags == ["severe_pain"]


def test_a_red_flag_shows_urgent_care_raises_an_alert_and_the_link_is_then_used(
    anon_client, alice_client, soreness, patient_a
):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import AuditEvent
    from dryneedling.followup.models import Alert, OutcomeRecord
    from dryneedling.followup.services import checkin_link

    url = path_of(checkin_link(soreness))
    token = csrf_token(anon_client, url)
    response = anon_client.post(url, {**SORENESS_OK, "flag_breathing": "yes", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Get help now" in body and "collapsed lung" in body and "emergency services" in body
    assert "We have told Clinic A" in body
    assert "fever" not in body.split("Get help now")[1].split("</section>")[0].lower()  # only the flag ticked
    assert_no_patient_data(response.content, patient_a)

    soreness.refresh_from_db()
    assert soreness.red_flags == ["breathing"] and soreness.answers["soreness"] == 3
    assert soreness.answers["side_effects"] == ["bruising", "pain_after"]
    alert = Alert.unscoped.get()
    assert (alert.check_in_id, alert.patient_id, alert.flags) == (soreness.pk, patient_a.pk, ["breathing"])
    assert alert.acknowledged_at is None
    assert [r.instrument_id for r in OutcomeRecord.unscoped.filter(check_in=soreness)] == ["nprs_soreness"]
    answer = AuditEvent.objects.get(action="check_in.answer")
    created = AuditEvent.objects.get(action="alert.create")
    assert answer.object_id == str(soreness.pk) and created.object_id == str(alert.pk)
    assert answer.clinic_id == created.clinic_id == soreness.clinic_id
    for event in (answer, created):
        assert "Zelda" not in str(event.detail) and "Quimby" not in str(event.detail)

    # Answering twice: the second POST is refused in words (the next reading is not due yet) and
    # changes nothing.
    again = anon_client.post(url, {**SORENESS_OK, "soreness": "9", "csrfmiddlewaretoken": token})
    assert again.status_code == 400 and "Your 48-hour soreness reading is not due yet" in again.content.decode()
    soreness.refresh_from_db()
    assert soreness.answers["soreness"] == 3
    assert Alert.unscoped.count() == 1 and OutcomeRecord.unscoped.count() == 1
    assert AuditEvent.objects.filter(action="check_in.answer").count() == 1

    # The clinic sees the alert and acknowledges it.
    listing = alice_client.get("/followup/").content.decode()
    assert "Shortness of breath or chest pain" in listing and "Zelda" in listing
    post = alice_client.post(
        "/followup/", {"alert": alert.pk, "csrfmiddlewaretoken": csrf_token(alice_client, "/followup/")}, follow=True
    )
    assert "Alert acknowledged." in post.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None and alert.acknowledged_by.email == "alice@a.test"
    assert AuditEvent.objects.filter(action="alert.acknowledge", object_id=str(alert.pk)).count() == 1
    assert "No open red flags." in alice_client.get("/followup/").content.decode()


def test_a_red_flag_on_an_incomplete_form_still_shows_urgent_care(anon_client, soreness, patient_a):
    """The answers are not stored (the form is incomplete), but the patient is told to get help
    now and the red flag reaches the clinic at once (issue 10): an open alert, the link still open."""
    from dryneedling.followup.models import Alert
    from dryneedling.followup.services import checkin_link

    response = post_public(anon_client, path_of(checkin_link(soreness)), {"flag_breathing": "yes"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Get help now" in body and "emergency services" in body
    assert "We have told Clinic A about this" in body and "have not been sent yet" in body
    assert re.search(r'name="flag_breathing" value="yes" checked', body), "the ticked flag stays ticked"
    soreness.refresh_from_db()
    assert soreness.answered_at is None and soreness.answers is None and soreness.red_flags == []
    assert Alert.unscoped.get(check_in=soreness).flags == ["breathing"]


def test_alerts_are_acknowledged_only_by_clinicians_of_the_clinic(anon_client, bob_client, carol_client, soreness):  # type: ignore[no-untyped-def]
    from dryneedling.followup.models import Alert
    from dryneedling.followup.services import checkin_link

    post_public(anon_client, path_of(checkin_link(soreness)), {**SORENESS_OK, "flag_infection": "yes"})
    alert = Alert.unscoped.get()
    assert alert.flags == ["infection"]
    response = carol_client.post(
        "/followup/", {"alert": alert.pk, "csrfmiddlewaretoken": csrf_token(carol_client, "/followup/")}, follow=True
    )
    assert response.status_code == 404  # another clinic's alert: the same answer as no alert (issue 9)
    assert "infection" not in response.content.decode()
    assert bob_client.get("/followup/").status_code == 403  # alerts and red flags are clinical
    response = bob_client.post(
        "/followup/", {"alert": alert.pk, "csrfmiddlewaretoken": csrf_token(bob_client, "/patients/")}
    )
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


# ---- follow-up list -----------------------------------------------------------------------------
def test_the_follow_up_list_filters_by_status(alice_client, carol, alice, soreness, ready_episode):
    from dryneedling.followup.models import CheckIn

    now = timezone.now()
    session = soreness.session
    hour, day = timedelta(hours=1), timedelta(days=1)
    CheckIn.unscoped.filter(pk=soreness.pk).update(due_at=now - hour, expires_at=now + 3 * day)  # due
    common = {"clinic": session.clinic, "patient": session.patient, "episode": ready_episode, "session": session}
    CheckIn.unscoped.create(kind="week_1", due_at=now - 3 * day, expires_at=now + hour, **common)  # overdue
    CheckIn.unscoped.create(kind="week_4", due_at=now + day, expires_at=now + 5 * day, **common)  # upcoming
    CheckIn.unscoped.create(kind="week_12", due_at=now - 5 * day, expires_at=now - day, **common)  # expired
    second = complete_session(alice, ready_episode)
    CheckIn.unscoped.filter(session=second).update(
        due_at=now - 2 * day, answered_at=now - day, answers={"red_flags": []}
    )  # answered
    third = complete_session(alice, ready_episode)
    CheckIn.unscoped.filter(session=third).update(
        due_at=now - 4 * day, answered_at=now - day, answers={"red_flags": ["severe_pain"]}, red_flags=["severe_pain"]
    )  # red flag
    _, other = screened_patient(carol, "B-9", "Boris", "Elsewhere")
    complete_session(carol, other)  # clinic B: never listed for Alice

    badge = re.compile(r'class="badge status-([a-z_]+)"')
    everything = alice_client.get("/followup/").content.decode()
    assert sorted(badge.findall(everything)) == sorted(
        ["due", "overdue", "upcoming", "expired", "answered", "red_flag"]
    )
    assert "Boris" not in everything
    for status in ("due", "overdue", "upcoming", "expired", "answered", "red_flag"):
        page = alice_client.get("/followup/", {"status": status}).content.decode()
        assert badge.findall(page) == [status], (status, badge.findall(page))
        assert f'href="?status={status}" aria-current="page"' in page
    assert sorted(badge.findall(alice_client.get("/followup/?status=bogus").content.decode())) == sorted(
        badge.findall(everything)
    )


# ---- home care ----------------------------------------------------------------------------------
def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(BytesIO(data)).pages)


def test_home_care_plan_generate_edit_conflict_and_patient_link(
    alice_client,
    anon_client,
    alice,
    soreness,
    ready_episode,
    patient_a,
):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import AuditEvent
    from dryneedling.followup.homecare import home_care_link
    from dryneedling.followup.models import HomeCarePlan
    from dryneedling.treatment.services.common import CONFLICT_MESSAGE

    url = f"/episodes/{ready_episode.pk}/home-care/"
    assert "Generate plan" in alice_client.get(url).content.decode()
    response = alice_client.post(url, {"csrfmiddlewaretoken": csrf_token(alice_client, url)}, follow=True)
    assert "Plan generated" in response.content.decode()
    record = HomeCarePlan.unscoped.get()
    assert record.version == 1 and record.episode_id == ready_episode.pk
    items = [item for section in record.plan["sections"] for item in section["items"]]
    assert len(items) >= 2, record.plan
    first, dropped, rest = items[0], items[1], items[2:]
    link = home_care_link(record)
    assert link in response.content.decode()

    # Edit: new instructions for the first item, drop the second, add a note.
    form = {"csrfmiddlewaretoken": csrf_token(alice_client, url), "version": "1", "note": "Walk daily."}
    for item in items:
        if item is not dropped:
            form[f"keep-{item['id']}"] = "on"
        form[f"instructions-{item['id']}"] = item["instructions"]
        form[f"dose-{item['id']}"] = item["dose"] or ""
    form[f"instructions-{first['id']}"] = "Warm pack on the neck for 15 minutes each evening."
    response = alice_client.post(url, form, follow=True)
    assert "Plan saved." in response.content.decode()
    record.refresh_from_db()
    assert record.version == 2
    saved = {item["id"]: item for section in record.plan["sections"] for item in section["items"]}
    assert saved[first["id"]]["instructions"] == "Warm pack on the neck for 15 minutes each evening."
    assert dropped["id"] not in saved
    assert all(item["id"] in saved for item in rest)
    assert saved["clinician-note"]["instructions"] == "Walk daily."

    # A stale version (someone saved since): the conflict message, nothing saved.
    stale = form | {
        "csrfmiddlewaretoken": csrf_token(alice_client, url),
        f"instructions-{first['id']}": "Stale edit",
        "note": "",
    }
    response = alice_client.post(url, stale, follow=True)
    assert CONFLICT_MESSAGE.split(":")[0] in response.content.decode()
    record.refresh_from_db()
    assert record.version == 2 and "Stale edit" not in str(record.plan)
    assert AuditEvent.objects.filter(action="home_care_plan.update").count() == 1

    # Saving again (note field empty, the note item kept) keeps the note; a new note replaces it.
    def resave(note: str, version: int):  # type: ignore[no-untyped-def]
        form = {"csrfmiddlewaretoken": csrf_token(alice_client, url), "version": str(version), "note": note}
        for item in (i for section in record.plan["sections"] for i in section["items"]):
            form |= {f"keep-{item['id']}": "on", f"instructions-{item['id']}": item["instructions"]}
            form[f"dose-{item['id']}"] = item["dose"] or ""
        assert "Plan saved." in alice_client.post(url, form, follow=True).content.decode()
        record.refresh_from_db()
        return [i for section in record.plan["sections"] for i in section["items"] if i["id"] == "clinician-note"]

    assert [n["instructions"] for n in resave("", 2)] == ["Walk daily."]
    assert [n["instructions"] for n in resave("Walk daily, 20 minutes.", 3)] == ["Walk daily, 20 minutes."]
    assert record.version == 4

    # The patient's page and PDF show the edited plan.
    public = path_of(link)
    page = anon_client.get(public)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Your home-care plan" in body and "Warm pack on the neck for 15 minutes each evening." in body
    assert "Walk daily, 20 minutes." in body and "Stale edit" not in body
    assert_no_patient_data(page.content, patient_a)
    pdf = anon_client.get(public + "plan.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "Warm pack on the neck" in _pdf_text(pdf.content)
    assert AuditEvent.objects.filter(action="home_care_plan.view", object_id=str(record.pk)).count() == 2

    # A tampered plan link: the generic page, for the page and the PDF.
    token = public.split("/")[2]
    for bad in (f"/h/{tamper(token)}/", f"/h/{tamper(token)}/plan.pdf"):
        response = anon_client.get(bad)
        assert response.status_code == 404 and NOT_VALID in response.content.decode()


def test_home_care_plan_needs_a_clinician(bob_client, ready_episode):
    from dryneedling.followup.models import HomeCarePlan

    url = f"/episodes/{ready_episode.pk}/home-care/"
    assert bob_client.get(url).status_code == 403  # front desk does not read home-care plans either
    response = bob_client.post(url, {"csrfmiddlewaretoken": csrf_token(bob_client, "/patients/")})
    assert response.status_code == 403
    assert not HomeCarePlan.unscoped.exists()


def test_another_clinic_gets_404_on_plan_outcomes_and_course_complete(
    carol_client,
    alice,
    soreness,
    ready_episode,
):  # type: ignore[no-untyped-def]
    from dryneedling.followup.homecare import home_care_plan_create
    from dryneedling.followup.models import CheckIn, HomeCarePlan, OutcomeRecord

    home_care_plan_create(actor=alice, episode=ready_episode)
    token = csrf_token(carol_client, "/followup/")
    e = ready_episode.pk
    assert carol_client.get(f"/episodes/{e}/home-care/").status_code == 404
    assert carol_client.post(f"/episodes/{e}/home-care/", {"csrfmiddlewaretoken": token}).status_code == 404
    assert carol_client.get(f"/episodes/{e}/outcomes.svg").status_code == 404
    assert carol_client.post(f"/episodes/{e}/course-complete/", {"csrfmiddlewaretoken": token}).status_code == 404
    response = carol_client.post(
        f"/episodes/{e}/outcomes/", {"csrfmiddlewaretoken": token, "instrument": "nprs", "total": "5"}
    )
    assert response.status_code == 404
    ready_episode.refresh_from_db()
    assert ready_episode.course_completed_at is None
    assert CheckIn.unscoped.exclude(kind="soreness").count() == 0
    assert HomeCarePlan.unscoped.get().version == 1
    assert not OutcomeRecord.unscoped.exists()


def test_course_complete_by_page(alice_client, soreness, ready_episode, patient_a):
    from dryneedling.followup.models import CheckIn

    url = f"/patients/{patient_a.pk}/"
    token = csrf_token(alice_client, url)
    response = alice_client.post(
        f"/episodes/{ready_episode.pk}/course-complete/", {"csrfmiddlewaretoken": token}, follow=True
    )
    assert "check-ins scheduled at 1, 4 and 12 weeks" in response.content.decode()
    assert sorted(CheckIn.unscoped.values_list("kind", flat=True)) == ["soreness", "week_1", "week_12", "week_4"]
    response = alice_client.post(
        f"/episodes/{ready_episode.pk}/course-complete/", {"csrfmiddlewaretoken": token}, follow=True
    )
    assert "completed already" in response.content.decode()
    assert CheckIn.unscoped.count() == 4


# ---- outcomes chart -----------------------------------------------------------------------------
def test_outcomes_svg_is_an_image_with_its_own_narrow_csp(alice_client, anon_client, soreness, ready_episode):
    from dryneedling.followup.services import checkin_link

    post_public(anon_client, path_of(checkin_link(soreness)), SORENESS_OK)
    response = alice_client.get(f"/episodes/{ready_episode.pk}/outcomes.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in response.content[:2000]
    policy = {
        part.strip().split()[0]: part.strip().split()[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert "'unsafe-inline'" not in policy.get("style-src", [])  # drawn without style attributes (issue 14)
    assert "style=" not in response.content.decode()
    assert policy["script-src"] == ["'none'"]
    # Other pages keep the strict policy.
    page_policy = alice_client.get("/followup/")["Content-Security-Policy"]
    assert "unsafe-inline" not in page_policy and "script-src 'self'" in page_policy
    # Signed-out: no chart.
    assert anon_client.get(f"/episodes/{ready_episode.pk}/outcomes.svg").status_code == 302


# ---- consent by link ----------------------------------------------------------------------------
def _consent_link(client, patient) -> str:  # type: ignore[no-untyped-def]
    page = f"/patients/{patient.pk}/"
    response = client.post(
        f"/patients/{patient.pk}/consent-link/", {"csrfmiddlewaretoken": csrf_token(client, page)}, follow=True
    )
    assert response.status_code == 200
    found = re.search(re.escape(settings.PUBLIC_BASE_URL) + r"/s/[^/\s<\"]+/", response.content.decode())
    assert found, response.content.decode()
    return found.group(0)


def test_consent_by_link(alice_client, anon_client, patient_a):
    from dryneedling.accounts.models import AuditEvent
    from dryneedling.clinical.education import CONSENT_VERSION, consent_items
    from dryneedling.treatment.models import Consent

    url = path_of(_consent_link(alice_client, patient_a))
    assert AuditEvent.objects.filter(action="consent.link", object_id=str(patient_a.pk)).count() == 1
    page = anon_client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    for heading in ("What is dry needling?", "Cost and insurance"):
        assert heading in body
    items = consent_items()
    for item in items:
        assert f'value="{item.id}"' in body
    assert CONSENT_VERSION in body
    assert_no_patient_data(page.content, patient_a)

    required = [i.id for i in items if i.required]
    assert "chest_wall_neck" not in required
    token = csrf_token(anon_client, url)

    def post(data):  # type: ignore[no-untyped-def]
        return anon_client.post(url, {**data, "csrfmiddlewaretoken": token})

    for data, message in (
        ({"items": required[:-1], "signed_name": "Zelda Quimby"}, "Please tick every required statement"),
        ({"items": [], "signed_name": "Zelda Quimby"}, "Please tick every required statement"),
        ({"items": [*required, "made_up"], "signed_name": "Zelda Quimby"}, "Unknown consent item"),
        ({"items": required, "signed_name": " "}, "Type your full name to sign"),
    ):
        response = post(data)
        assert response.status_code == 400, data
        assert message in response.content.decode()
        assert not Consent.unscoped.filter(patient=patient_a).exists()

    response = post({"items": required, "signed_name": "  Zelda Quimby "})
    assert response.status_code == 200 and "Your consent reached Clinic A" in response.content.decode()
    consent = Consent.unscoped.get(patient=patient_a)
    assert consent.version == CONSENT_VERSION and consent.signed_name == "Zelda Quimby"
    assert consent.covers_chest_and_neck is False and consent.items == sorted(required)
    assert consent.recorded_by is None
    assert AuditEvent.objects.filter(action="consent.sign", object_id=str(consent.pk)).count() == 1

    # Reuse: the same link is now used.
    for response in (anon_client.get(url), post({"items": required, "signed_name": "Zelda Quimby"})):
        assert response.status_code == 410 and USED in response.content.decode()
    assert Consent.unscoped.filter(patient=patient_a).count() == 1


def test_consent_by_link_with_the_chest_and_neck_item(alice_client, anon_client, patient_a):
    from dryneedling.clinical.education import consent_items
    from dryneedling.treatment.models import Consent

    url = path_of(_consent_link(alice_client, patient_a))
    every = [i.id for i in consent_items()]
    response = post_public(anon_client, url, {"items": every, "signed_name": "Zelda Quimby"})
    assert response.status_code == 200
    consent = Consent.unscoped.get(patient=patient_a)
    assert consent.covers_chest_and_neck is True and "chest_wall_neck" in consent.items
    # A tampered consent link is refused.
    tampered = f"/s/{tamper(url.split('/')[2])}/"
    assert anon_client.get(tampered).status_code == 404


def test_consent_link_is_for_the_clinic_of_the_patient(carol_client, patient_a):
    page_token = csrf_token(carol_client, "/followup/")
    response = carol_client.post(f"/patients/{patient_a.pk}/consent-link/", {"csrfmiddlewaretoken": page_token})
    assert response.status_code == 404


# ---- education ----------------------------------------------------------------------------------
class _SectionText(HTMLParser):
    """The text of each <section class="card edu"> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[list[str]] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "section":
            if self._depth:
                self._depth += 1
            elif "edu" in (dict(attrs).get("class") or "").split():
                self._depth = 1
                self.sections.append([])
        elif self._depth and tag in ("h2", "p"):
            self.sections[-1].append("\n")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "section" and self._depth:
            self._depth -= 1

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._depth:
            self.sections[-1].append(data)


def _sections(html: str) -> list[str]:
    parser = _SectionText()
    parser.feed(html)
    return ["".join(parts).strip() for parts in parser.sections]


def test_education_page_and_pdf_show_the_clinic_fee(anon_client, dana):
    from dryneedling.treatment.services.fees import fee_set

    page = anon_client.get("/learn/clinic-a/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Dry needling at Clinic A" in body
    assert "please ask us what a visit will cost" in body and "$85.00" not in body

    fee_set(actor=dana, code="20560", amount="85.00")
    fee_set(actor=dana, code="20561", amount="110.00")
    body = anon_client.get("/learn/clinic-a/").content.decode()
    assert "a visit at Clinic A costs $85.00 when we treat one or two muscles" in body
    assert "$110.00 when we treat three or more muscles" in body
    assert "please ask us what a visit will cost" not in body
    assert 'href="/learn/clinic-a/dry-needling.pdf"' in body

    pdf = anon_client.get("/learn/clinic-a/dry-needling.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = " ".join(_pdf_text(pdf.content).split())
    assert "$85.00" in text and "Cost and insurance" in text

    assert anon_client.get("/learn/no-such-clinic/").status_code == 404
    assert anon_client.get("/learn/no-such-clinic/dry-needling.pdf").status_code == 404


def test_another_clinics_fee_is_not_shown(anon_client, dana, clinic_b):
    from dryneedling.treatment.services.fees import fee_set

    fee_set(actor=dana, code="20560", amount="85.00")
    body = anon_client.get("/learn/clinic-b/").content.decode()
    assert "Dry needling at Clinic B" in body and "$85.00" not in body


@pytest.mark.parametrize("with_fees", [False, True], ids=["no_fees", "fees"])
def test_the_rendered_education_page_reads_at_grade_8_or_lower(with_fees, anon_client, dana):
    from dryneedling.clinical.education import REQUIRED_SECTIONS, readability_grade
    from dryneedling.treatment.services.fees import fee_set

    if with_fees:
        fee_set(actor=dana, code="20560", amount="85.00")
        fee_set(actor=dana, code="20561", amount="1090.50")
    html = anon_client.get("/learn/clinic-a/").content.decode()
    sections = _sections(html)
    assert len(sections) == len(REQUIRED_SECTIONS)
    for text in sections:
        assert "&#x27;" not in text and "{" not in text
        assert readability_grade(text) <= 8, (readability_grade(text), text[:80])
    assert readability_grade("\n\n".join(sections)) <= 8
    # The check can fail: a dense sentence in the same pipeline grades far above 8.
    dense = _sections(
        '<section class="card edu"><h2>Risks</h2><p>Intramuscular stimulation demonstrated considerable '
        "heterogeneity attributable to methodological differences regarding classification thresholds.</p></section>"
    )
    assert readability_grade(dense[0]) > 8
