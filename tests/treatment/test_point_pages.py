"""Issue 10 on the pages: the point form's defaults, a finding filling muscle and side, typed
seconds, a warning's reason given once per session, the guardrails kept after an error, and the
correction pages of findings and side effects."""

from __future__ import annotations

import re

import pytest

from dryneedling.accounts.models import AuditEvent
from dryneedling.treatment.models import AdverseEvent, Finding, Insertion
from tests.conftest import csrf_token
from tests.treatment.conftest import finish, record
from tests.treatment.test_point_speed import REASON, _finding

HX = {"HX-Request": "true"}


def _selected(html: str, name: str) -> str:
    """The value of the selected option of the select `name` ("" when none is selected)."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return chosen.group(1) if chosen else ""


def _value(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def _post(client, session, **fields):  # type: ignore[no-untyped-def]
    session.refresh_from_db()
    data = {
        "csrfmiddlewaretoken": csrf_token(client, f"/sessions/{session.pk}/"),
        "version": str(session.version),
        "technique": "pistoning",
        "needle_diameter_mm": "0.30",
        "needle_length_mm": "50",
        "planned_seconds": "30",
        "actual_seconds": "25",
        "twitch_count": "0",
    } | {key: str(value) for key, value in fields.items()}
    return client.post(f"/sessions/{session.pk}/points/", data, headers=HX)


@pytest.mark.django_db
def test_the_first_point_form_has_no_misleading_muscle(alice_client, session_a):
    html = alice_client.get(f"/sessions/{session_a.pk}/").content.decode()
    assert _selected(html, "muscle_id") == ""
    assert _selected(html, "side") == ""
    assert "Choose a muscle" in html
    assert _value(html, "planned_seconds") == str(session_a.clinic.default_point_seconds)
    assert _value(html, "actual_seconds") == ""  # needle time is entered or timed, never assumed


@pytest.mark.django_db
def test_the_next_point_defaults_from_the_last_one(alice, alice_client, session_a):
    record(alice, session_a, muscle_id="gluteus_medius", needle_diameter_mm="0.20", needle_length_mm=40, handling="")
    Insertion.unscoped.filter(session=session_a).update(twitch_count=3)
    html = alice_client.get(f"/sessions/{session_a.pk}/").content.decode()
    assert _selected(html, "needle_diameter_mm") == "0.20"
    assert _selected(html, "needle_length_mm") == "40"
    assert _selected(html, "technique") == "pistoning"
    assert _selected(html, "muscle_id") == "gluteus_medius"
    assert _selected(html, "side") == "right"
    assert _value(html, "twitch_count") == "3"


@pytest.mark.django_db
def test_electrical_settings_default_from_the_last_point(alice, alice_client, session_a):
    electrical = {
        "device": "ITO ES-160",
        "frequency_hz": 2.0,
        "pulse_width_us": 250.0,
        "intensity_ma": 3.0,
        "duration_min": 10.0,
    }
    record(alice, session_a, technique="electrical", electrical=electrical)
    html = alice_client.get(f"/sessions/{session_a.pk}/").content.decode()
    assert _selected(html, "technique") == "electrical"
    assert _value(html, "device") == "ITO ES-160"
    assert _value(html, "frequency_hz") == "2.0"


@pytest.mark.django_db
def test_the_finding_choices_carry_their_muscle_and_side_for_the_page(alice, alice_client, session_a):
    finding = _finding(alice, session_a.episode, muscle="gluteus_medius", side="left")
    html = alice_client.get(f"/sessions/{session_a.pk}/").content.decode()
    assert re.search(rf'"{finding.pk}": \{{"muscle_id": "gluteus_medius", "side": "left"', html)


@pytest.mark.django_db
def test_a_posted_finding_without_muscle_and_side_supplies_them(alice, alice_client, session_a):
    finding = _finding(alice, session_a.episode, muscle="gluteus_medius", side="left")
    response = _post(alice_client, session_a, finding_id=finding.pk, muscle_id="", side="")
    assert b"Point saved" in response.content
    saved = Insertion.unscoped.get(session=session_a)
    assert (saved.muscle_id, saved.side, saved.finding_id) == ("gluteus_medius", "left", finding.pk)


@pytest.mark.django_db
def test_a_conflicting_finding_is_a_field_error_and_nothing_is_lost(alice, alice_client, session_a):
    finding = _finding(alice, session_a.episode, muscle="gluteus_medius", side="left")
    response = _post(
        alice_client, session_a, finding_id=finding.pk, muscle_id="gluteus_medius", side="right", patient_response="ok"
    )
    html = response.content.decode()
    assert "The finding chosen is on Gluteus medius (left)" in html
    assert re.search(r'class="field has-error">\s*<label for="id_side"', html)
    assert _selected(html, "side") == "right" and _value(html, "patient_response") == "ok"
    assert not Insertion.unscoped.exists()


@pytest.mark.django_db
def test_typed_seconds_need_no_timer_and_missing_seconds_say_the_limits(alice_client, session_a):
    missing = _post(alice_client, session_a, muscle_id="gluteus_medius", side="right", actual_seconds="")
    html = missing.content.decode()
    assert "Time the needle with the timer" in html and "7200" in html and "type the seconds" in html
    assert not Insertion.unscoped.exists()
    typed = _post(alice_client, session_a, muscle_id="gluteus_medius", side="right", actual_seconds="45")
    assert b"Point saved" in typed.content
    assert Insertion.unscoped.get().actual_seconds == 45


@pytest.mark.django_db
def test_a_warning_reason_is_given_once_per_session(alice, alice_client, session_a):
    first = _post(alice_client, session_a, muscle_id="piriformis", side="right", override_reason=REASON)
    assert b"Point saved" in first.content
    # The guardrail check of the next point shows the reason already given.
    session_a.refresh_from_db()
    token = csrf_token(alice_client, f"/sessions/{session_a.pk}/")
    check = alice_client.post(
        f"/sessions/{session_a.pk}/guardrails/",
        {
            "csrfmiddlewaretoken": token,
            "version": session_a.version,
            "muscle_id": "gluteus_maximus",
            "side": "right",
            "technique": "pistoning",
            "needle_diameter_mm": "0.30",
            "needle_length_mm": "50",
        },
        headers=HX,
    ).content.decode()
    assert "GR-NEUROVASCULAR" in check and f"Reason given earlier: {REASON}" in check
    second = _post(alice_client, session_a, muscle_id="gluteus_maximus", side="right")
    html = second.content.decode()
    assert "Point saved" in html
    assert f"reason given earlier: {REASON}" in html
    saved = list(Insertion.unscoped.filter(session=session_a).order_by("pk"))
    assert [i.override_reason for i in saved] == [REASON, REASON]
    finish(alice, session_a)
    note = alice_client.get(f"/sessions/{session_a.pk}/note/").content.decode()
    assert f"GR-NEUROVASCULAR — reason given earlier: {REASON}" in note


@pytest.mark.django_db
def test_the_guardrails_stay_visible_after_a_validation_error(alice_client, session_a):
    response = _post(alice_client, session_a, muscle_id="piriformis", side="right", actual_seconds="")
    html = response.content.decode()
    panel = re.search(r'<div class="guardrails" id="guardrails".*?</div>\s*</div>', html, re.S)
    assert panel and "GR-NEUROVASCULAR" in panel.group(0) and "Warning:" in panel.group(0)
    # A refused reason keeps the panel too, and says the minimum.
    response = _post(alice_client, session_a, muscle_id="piriformis", side="right", override_reason="ok")
    html = response.content.decode()
    assert "GR-NEUROVASCULAR" in html and "at least 5 characters" in html
    assert not Insertion.unscoped.exists()


# ---- correction pages -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_finding_is_corrected_from_its_page(alice, alice_client, episode_a):
    finding = _finding(alice, episode_a, muscle="gluteus_medius", side="left")
    url = f"/findings/{finding.pk}/correct/"
    page = alice_client.get(url)
    assert page.status_code == 200 and _selected(page.content.decode(), "side") == "left"
    data = {
        "csrfmiddlewaretoken": page.context["csrf_token"],
        "muscle_id": "gluteus_medius",
        "side": "right",
        "status": "active",
        "tenderness": "6",
        "reason": "Wrong side charted",
    }
    response = alice_client.post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/episodes/{episode_a.pk}/chart/"
    assert Finding.unscoped.get(pk=finding.pk).side == "right"
    assert AuditEvent.objects.get(action="finding.correct").detail["after"] == {"side": "right"}
    chart = alice_client.get(f"/episodes/{episode_a.pk}/chart/").content.decode()
    assert f'href="/findings/{finding.pk}/correct/"' in chart and "corrected" in chart


@pytest.mark.django_db
def test_a_finding_in_a_signed_note_shows_why_it_cannot_be_corrected(alice, alice_client, session_a):
    from dryneedling.treatment.services.note import note_sign

    finding = _finding(alice, session_a.episode)
    record(alice, session_a)
    finish(alice, session_a)
    note_sign(actor=alice, session_id=session_a.pk, expected_version=session_a.note.version)
    url = f"/findings/{finding.pk}/correct/"
    page = alice_client.get(url)
    html = page.content.decode()
    assert "signed" in html and "amendment" in html
    assert 'name="side"' not in html
    response = alice_client.post(url, {"csrfmiddlewaretoken": page.context["csrf_token"], "side": "left"})
    assert "signed" in response.content.decode()
    assert Finding.unscoped.get(pk=finding.pk).side == "right"


@pytest.mark.django_db
def test_a_side_effect_is_corrected_from_its_page(alice, alice_client, session_a):
    from dryneedling.care.adverse import adverse_event_record

    event = adverse_event_record(actor=alice, session=session_a, kind="bruising", severity="mild", onset="during")
    workspace = alice_client.get(f"/sessions/{session_a.pk}/").content.decode()
    url = f"/adverse-events/{event.pk}/correct/"
    assert f'href="{url}"' in workspace
    page = alice_client.get(url)
    data = {
        "csrfmiddlewaretoken": page.context["csrf_token"],
        "kind": "bruising",
        "severity": "significant",
        "onset": "during",
        "management": "Ice",
        "reason": "",
    }
    response = alice_client.post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/sessions/{session_a.pk}/"
    event = AdverseEvent.unscoped.get(pk=event.pk)
    assert (event.severity, event.management) == ("significant", "Ice")
    audit = AuditEvent.objects.get(action="adverse_event.correct")
    assert audit.detail["before"]["severity"] == "mild" and "management" not in audit.detail["after"]
    bad = alice_client.post(url, data | {"kind": "pneumothorax", "severity": "mild"})
    assert bad.status_code == 200 and b"knowledge base" in bad.content


@pytest.mark.django_db
def test_other_clinics_and_front_desk_cannot_correct(alice, bob_client, carol_client, episode_a):
    finding = _finding(alice, episode_a)
    assert carol_client.get(f"/findings/{finding.pk}/correct/").status_code == 404
    assert bob_client.get(f"/findings/{finding.pk}/correct/").status_code == 403
