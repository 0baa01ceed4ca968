"""Bad values sent to the views that used to read request.POST by hand: a message or a 4xx, never a
500, and nothing written."""

from __future__ import annotations

import pytest

from dryneedling.followup.models import Alert, CheckIn, OutcomeRecord
from dryneedling.safetyrecords.models import ClinicianProfile
from dryneedling.treatment.models import Note
from tests.conftest import csrf_token
from tests.treatment import conftest as treatment_fixtures
from tests.treatment.conftest import finish, record

# The treatment fixtures this module's tests ask for by name.
episode_a, ready_episode, session_a = (
    treatment_fixtures.episode_a,
    treatment_fixtures.ready_episode,
    treatment_fixtures.session_a,
)

BAD = ["", "abc", "-1", "1e999", "nan", "0x10", "9" * 40, "1\x00"]


@pytest.fixture
def completed(alice, session_a):  # type: ignore[no-untyped-def]
    record(alice, session_a)
    finish(alice, session_a)
    return session_a


def _post(client, url, data):  # type: ignore[no-untyped-def]
    return client.post(url, {"csrfmiddlewaretoken": csrf_token(client, "/patients/"), **data}, follow=True)


@pytest.mark.django_db
@pytest.mark.parametrize("version", BAD)
def test_note_sign_with_a_bad_version_says_reload(alice_client, completed, version):
    response = _post(alice_client, f"/sessions/{completed.pk}/note/sign/", {"version": version})
    assert response.status_code == 200
    assert "reload the page" in response.content.decode()
    assert Note.unscoped.get(session=completed).signed_at is None


@pytest.mark.django_db
def test_note_sign_with_its_version_signs(alice_client, completed):
    note = Note.unscoped.get(session=completed)
    response = _post(alice_client, f"/sessions/{completed.pk}/note/sign/", {"version": note.version, "reviewed": "on"})
    assert "Note signed." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("alert", BAD)
def test_acknowledging_a_bad_alert_id_says_so(alice_client, completed, alert):
    check_in = CheckIn.unscoped.get(session=completed)
    Alert.unscoped.create(clinic=completed.clinic, patient=completed.patient, check_in=check_in, flags=["fever"])
    response = _post(alice_client, "/followup/", {"alert": alert})
    assert response.status_code == 200
    assert "No such alert." in response.content.decode()
    assert Alert.unscoped.filter(acknowledged_at__isnull=True).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("total", BAD)
def test_a_bad_score_says_why(alice_client, episode_a, total):
    """Not a number: the form says so; a number out of the instrument's range: the service does."""
    response = _post(alice_client, f"/episodes/{episode_a.pk}/outcomes/", {"instrument": "nprs", "total": total})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<li class="error">' in page and "Score recorded." not in page
    assert not OutcomeRecord.unscoped.exists()


@pytest.mark.django_db
def test_a_score_of_an_unknown_instrument_says_so(alice_client, episode_a):
    response = _post(alice_client, f"/episodes/{episode_a.pk}/outcomes/", {"instrument": "x" * 50, "total": "3"})
    assert response.status_code == 200 and not OutcomeRecord.unscoped.exists()
    _post(alice_client, f"/episodes/{episode_a.pk}/outcomes/", {"instrument": "nprs", "total": "3"})
    assert OutcomeRecord.unscoped.get().value == 3


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["", "delete", "profile\x00", "training "])
def test_credentials_with_an_unknown_action_is_a_400_that_says_so(alice, alice_client, action):
    url = f"/clinic/credentials/{alice.pk}/"
    response = alice_client.post(
        url,
        {"csrfmiddlewaretoken": csrf_token(alice_client, url), "action": action, "profession": "physical_therapist"},
    )
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not ClinicianProfile.objects.filter(user=alice).exists()
