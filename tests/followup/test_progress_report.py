"""Issue 11: the progress report PDF of an episode, for the referring physician or the payer:
diagnosis, sessions and dates, muscles treated, outcomes from baseline with the MCID verdict and
its source, side effects, and the plan of the latest signed note."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from dryneedling.care.adverse import adverse_event_record
from dryneedling.followup.models import OutcomeRecord
from dryneedling.followup.services import outcome_record
from dryneedling.patients.models import EpisodeCondition
from dryneedling.treatment.models import Note
from dryneedling.treatment.services.note import note_sign
from tests.followup.test_services import complete_session
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_progress_report_states_the_course(alice, alice_client, ready_episode):  # noqa: F811
    session = complete_session(alice, ready_episode)
    adverse_event_record(actor=alice, session=session, kind="bruising", severity="mild", onset="during")
    note = Note.unscoped.get(session=session)
    note_sign(
        actor=alice,
        session_id=session.pk,
        expected_version=note.version,
        sections={"plan": "Two more sessions, then review with the referrer."},
    )
    baseline = outcome_record(actor=alice, episode=ready_episode, instrument_id="nprs", total=7)
    OutcomeRecord.unscoped.filter(pk=baseline.pk).update(recorded_at=timezone.now() - timedelta(days=14))
    outcome_record(actor=alice, episode=ready_episode, instrument_id="nprs", total=3)
    response = alice_client.get(f"/episodes/{ready_episode.pk}/progress.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(_text(response.content).split())
    condition = EpisodeCondition.unscoped.filter(episode=ready_episode).first()
    assert condition is not None and condition.code in text
    assert "Progress report" in text and "Sessions (1)" in text
    assert f"{timezone.localdate(session.started_at):%Y-%m-%d}" in text
    assert "Gluteus medius (right)" in text
    assert "Numeric Pain Rating Scale" in text and "reaches the MCID of 2" in text
    assert "Bruising" in text
    assert "Two more sessions, then review with the referrer." in text


def test_the_progress_report_of_an_episode_without_scores_says_so(alice_client, ready_episode):  # noqa: F811
    text = " ".join(_text(alice_client.get(f"/episodes/{ready_episode.pk}/progress.pdf").content).split())
    assert "No scores yet." in text and "No sessions yet." in text and "No signed note yet." in text


def test_the_patient_page_links_the_report_for_clinicians_only(alice_client, bob_client, ready_episode):  # noqa: F811
    url = f"/patients/{ready_episode.patient_id}/"
    assert f"/episodes/{ready_episode.pk}/progress.pdf" in alice_client.get(url).content.decode()
    assert f"/episodes/{ready_episode.pk}/progress.pdf" not in bob_client.get(url).content.decode()
    assert bob_client.get(f"/episodes/{ready_episode.pk}/progress.pdf").status_code == 403
