"""The treatment pages: render, refuse other clinics, enforce CSRF, and never 500 on bad input."""

from __future__ import annotations

import pytest

from dryneedling.treatment.models import Finding, Insertion
from tests.conftest import csrf_token
from tests.treatment.conftest import finish, record, sign_note


@pytest.fixture
def urls(alice, session_a, episode_a, patient_a):  # type: ignore[no-untyped-def]
    record(alice, session_a)
    session_a.refresh_from_db()
    finish(alice, session_a)
    s, e, p = session_a.pk, episode_a.pk, patient_a.pk
    return {
        "get": [
            f"/episodes/{e}/chart/",
            f"/episodes/{e}/chart/propose/?view=back&x=120&y=80",
            f"/episodes/{e}/sessions/new/",
            f"/patients/{p}/consent/",
            f"/sessions/{s}/",
            f"/sessions/{s}/note/",
            f"/sessions/{s}/superbill/",
            f"/sessions/{s}/superbill.pdf",
        ],
        "post": [
            f"/episodes/{e}/findings/",
            f"/episodes/{e}/pain-drawings/",
            f"/episodes/{e}/sessions/new/",
            f"/patients/{p}/consent/",
            f"/sessions/{s}/guardrails/",
            f"/sessions/{s}/points/",
            f"/sessions/{s}/adverse-events/",
            f"/sessions/{s}/complete/",
            f"/sessions/{s}/note/",
            f"/sessions/{s}/note/sign/",
            f"/sessions/{s}/note/amend/",
        ],
    }


@pytest.mark.django_db
def test_pages_render_for_the_clinician(alice, alice_client, urls, session_a):
    sign_note(alice, session_a)  # the superbill is of a signed session only (issue 11)
    for url in urls["get"]:
        response = alice_client.get(url)
        assert response.status_code == 200, url
    pdf = alice_client.get(urls["get"][-1])
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert alice_client.get("/clinic/").status_code == 200


@pytest.mark.django_db
def test_other_clinic_gets_404_everywhere_without_patient_data(carol_client, urls):
    carol_client.get("/patients/")
    token = carol_client.cookies["csrftoken"].value
    for url in urls["get"]:
        response = carol_client.get(url)
        assert response.status_code == 404, url
        assert b"Quimby" not in response.content
    for url in urls["post"]:
        response = carol_client.post(url, {"csrfmiddlewaretoken": token, "version": "1"})
        assert response.status_code == 404, url
        assert b"Quimby" not in response.content


@pytest.mark.django_db
def test_treatment_forms_enforce_csrf(alice_client, urls):
    for url in urls["post"]:
        assert alice_client.post(url, {"version": "1"}).status_code == 403, url


@pytest.mark.django_db
def test_finding_form_records_and_rejects_bad_input(alice_client, episode_a):
    url = f"/episodes/{episode_a.pk}/chart/"
    token = csrf_token(alice_client, url)
    good = {
        "csrfmiddlewaretoken": token,
        "view": "back",
        "x": "120",
        "y": "80",
        "muscle_id": "upper_trapezius",
        "side": "right",
        "status": "active",
        "tenderness": "7",
        "taut_band": "on",
        "familiar_pain": "on",
    }
    assert alice_client.post(f"/episodes/{episode_a.pk}/findings/", good).status_code == 302
    assert Finding.unscoped.get().tenderness == 7
    for bad in ({"x": "999"}, {"tenderness": "11"}, {"muscle_id": "spleen"}, {"view": "side"}, {"x": "nan"}):
        response = alice_client.post(f"/episodes/{episode_a.pk}/findings/", good | bad)
        assert response.status_code == 200, bad
    assert Finding.unscoped.count() == 1


@pytest.mark.django_db
def test_propose_rejects_bad_coordinates_with_400(alice_client, episode_a):
    for query in ("view=back&x=abc&y=1", "view=top&x=1&y=1", "view=back&x=1e9&y=1"):
        assert alice_client.get(f"/episodes/{episode_a.pk}/chart/propose/?{query}").status_code == 400, query


@pytest.mark.django_db
def test_point_form_over_htmx_returns_the_workspace_with_errors(alice_client, session_a):
    url = f"/sessions/{session_a.pk}/"
    token = csrf_token(alice_client, url)
    data = {
        "csrfmiddlewaretoken": token,
        "version": str(session_a.version),
        "muscle_id": "gluteus_medius",
        "side": "right",
        "technique": "pistoning",
        "needle_diameter_mm": "0.30",
        "needle_length_mm": "50",
        "planned_seconds": "30",
        "actual_seconds": "",
        "twitch_count": "1",
    }
    response = alice_client.post(f"/sessions/{session_a.pk}/points/", data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"<html" not in response.content
    assert b"Time the needle with the timer" in response.content
    response = alice_client.post(
        f"/sessions/{session_a.pk}/points/", data | {"actual_seconds": "29"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and b"Point saved" in response.content
    assert Insertion.unscoped.filter(session=session_a).count() == 1
    stale = alice_client.post(
        f"/sessions/{session_a.pk}/points/", data | {"actual_seconds": "29"}, headers={"HX-Request": "true"}
    )
    assert b"Someone else changed this record" in stale.content
    assert Insertion.unscoped.filter(session=session_a).count() == 1


@pytest.mark.django_db
def test_record_views_are_audited(alice, alice_client, urls, session_a, episode_a):
    sign_note(alice, session_a)  # the superbill is of a signed session only (issue 11)
    from dryneedling.accounts.models import AuditEvent

    for url, action in (
        (f"/episodes/{episode_a.pk}/chart/", "chart.view"),
        (f"/sessions/{session_a.pk}/", "session.view"),
        (f"/sessions/{session_a.pk}/note/", "note.view"),
        (f"/sessions/{session_a.pk}/superbill/", "superbill.view"),
        (f"/sessions/{session_a.pk}/superbill.pdf", "superbill_pdf.view"),
    ):
        before = AuditEvent.objects.filter(action=action).count()
        assert alice_client.get(url).status_code == 200
        assert AuditEvent.objects.filter(action=action).count() == before + 1, action
