"""Issue 11: signing signs what is on the screen. The note page is one form: "Sign note" sends the
sections with it, saves them and signs them in one step; signing needs the "I have reviewed this
note" box ticked, and without it nothing is signed and the typed text is shown again, not lost."""

from __future__ import annotations

import pytest

from dryneedling.treatment.models import Note
from tests.conftest import csrf_token
from tests.treatment.test_note_and_events import completed  # noqa: F401  (fixture)


def _sign(client, session, **data):  # type: ignore[no-untyped-def]
    note = Note.unscoped.get(session=session)
    sections = {s: getattr(note, s) for s in Note.SECTIONS}
    payload = {"csrfmiddlewaretoken": csrf_token(client, "/patients/"), "version": note.version, **sections, **data}
    return client.post(f"/sessions/{session.pk}/note/sign/", payload, follow=True)


@pytest.mark.django_db
def test_sign_saves_the_text_on_the_screen(alice_client, completed):  # noqa: F811
    response = _sign(alice_client, completed, subjective="Typed, never saved as a draft.", reviewed="on")
    assert "Note signed." in response.content.decode()
    note = Note.unscoped.get(session=completed)
    assert note.signed_at is not None
    assert note.subjective == "Typed, never saved as a draft."


@pytest.mark.django_db
def test_sign_without_the_review_box_keeps_the_text_and_signs_nothing(alice_client, completed):  # noqa: F811
    response = _sign(alice_client, completed, subjective="Typed, not yet reviewed.")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tick “I have reviewed this note” to sign it." in body
    assert "Typed, not yet reviewed." in body  # shown again in the form, not lost
    note = Note.unscoped.get(session=completed)
    assert note.signed_at is None
    assert note.subjective != "Typed, not yet reviewed."  # nothing written by a refused sign


@pytest.mark.django_db
def test_sign_of_a_stale_version_keeps_the_text(alice_client, completed):  # noqa: F811
    note = Note.unscoped.get(session=completed)
    Note.unscoped.filter(pk=note.pk).update(version=note.version + 1)  # someone saved meanwhile
    payload = {s: getattr(note, s) for s in Note.SECTIONS} | {"subjective": "My typing.", "reviewed": "on"}
    response = alice_client.post(
        f"/sessions/{completed.pk}/note/sign/",
        {"csrfmiddlewaretoken": csrf_token(alice_client, "/patients/"), "version": note.version, **payload},
    )
    assert response.status_code == 409
    assert "My typing." in response.content.decode()
    assert Note.unscoped.get(session=completed).signed_at is None


@pytest.mark.django_db
def test_sign_without_sections_keeps_the_saved_text(alice_client, completed):  # noqa: F811
    """A form that carries no sections (an older page) signs the saved text, blanking nothing."""
    note = Note.unscoped.get(session=completed)
    response = alice_client.post(
        f"/sessions/{completed.pk}/note/sign/",
        {"csrfmiddlewaretoken": csrf_token(alice_client, "/patients/"), "version": note.version, "reviewed": "on"},
        follow=True,
    )
    assert "Note signed." in response.content.decode()
    signed = Note.unscoped.get(session=completed)
    assert signed.objective == note.objective and signed.objective


@pytest.mark.django_db
def test_note_page_signs_from_the_one_form(alice_client, completed):  # noqa: F811
    body = alice_client.get(f"/sessions/{completed.pk}/note/").content.decode()
    assert f'formaction="/sessions/{completed.pk}/note/sign/"' in body
    assert 'name="reviewed"' in body and "I have reviewed this note" in body
