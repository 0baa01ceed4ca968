"""Issue 11 — a claim-ready superbill: the clinic's and the rendering clinician's identifiers, the place
of service in words, diagnoses lettered with pointers on each line, a signature line; staff-only
notes kept off the print; signed sessions only; two sessions on one date of service flagged."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from dryneedling.clinical.billing import get_billing
from dryneedling.treatment.models import Note, Session
from dryneedling.treatment.services.fees import fee_set
from dryneedling.treatment.services.note import note_sign
from tests.followup.test_services import complete_session
from tests.treatment.conftest import CLINIC_NPI, CLINICIAN_NPI, TAX_ID, claim_identity

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def sign(actor, session):  # type: ignore[no-untyped-def]
    note = Note.unscoped.get(session=session)
    return note_sign(actor=actor, session_id=session.pk, expected_version=note.version)


def claim_ready(alice, dana, episode):  # type: ignore[no-untyped-def]
    """A clinic with its identifiers, Alice with credentials and NPI, a signed, fee'd session."""
    claim_identity(alice)
    fee_set(actor=dana, code="20560", amount="85.00")
    episode.patient.insurance_payer, episode.patient.insurance_member_id = "Acme Health", "XZ-99"
    episode.patient.save(update_fields=["insurance_payer", "insurance_member_id"])
    session = complete_session(alice, episode)
    sign(alice, session)
    return session


def test_the_superbill_page_has_everything_a_claim_needs(alice, dana, alice_client, ready_episode):
    session = claim_ready(alice, dana, ready_episode)
    page = alice_client.get(f"/sessions/{session.pk}/superbill/").content.decode()
    for words in (
        "Clinic A", "1 Main St, Springfield", "555-0199", f"NPI {CLINIC_NPI}", f"Tax ID {TAX_ID}",
        "Place of service: 11 Office", "Alice Adams, PT, DPT", f"Individual NPI {CLINICIAN_NPI}",
        "Zelda Quimby", "1980-05-17", "Acme Health", "XZ-99", "Date of service",
        "A. M54.2", "20560", "85.00", "Rendering provider signature / date", "Electronically signed by Alice Adams",
    ):  # fmt: skip
        assert escape(words) in page, words
    assert re.search(r'<td class="pointers">A</td>', page)
    assert '<section class="card staff-only"' in page and "For staff — not printed" in page
    css = (Path(settings.BASE_DIR) / "static/dryneedling/app.css").read_text()
    assert re.search(r"@media print \{ \.staff-only", css)


def test_missing_identifiers_are_problems_in_words_not_a_500(alice, alice_client, ready_episode):
    session = complete_session(alice, ready_episode)
    sign(alice, session)
    response = alice_client.get(f"/sessions/{session.pk}/superbill/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The clinic has no NPI on file" in page and "Clinic settings, Clinic profile" in page
    assert "The clinic has no tax ID (EIN) on file" in page
    assert "Alice Adams has no individual NPI on file" in page and "Profession, credentials and NPI" in page


def test_the_pdf_prints_the_claim_and_no_rule_ids_or_source_keys(alice, dana, alice_client, ready_episode):
    session = claim_ready(alice, dana, ready_episode)
    response = alice_client.get(f"/sessions/{session.pk}/superbill.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert CLINICIAN_NPI in text and CLINIC_NPI in text and TAX_ID in text
    assert re.search(r"20560.*\bA\b", text), text  # the pointer letter on the procedure line
    billing = get_billing()
    internal = [*billing.rules, *billing.sources, "CPT-20560"]  # rule ids and snake_case source keys
    assert any("_" in key for key in internal) and not [key for key in internal if key in text]
    assert "Billing notes" not in text and "Sources" not in text and "not printed" not in text
    page = alice_client.get(f"/sessions/{session.pk}/superbill/").content.decode()
    assert any(key in page for key in internal)  # the staff page keeps them


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_an_unsigned_session_has_no_superbill_for_any_role(who, request, alice, ready_episode):
    session = complete_session(alice, ready_episode)
    client = request.getfixturevalue(f"{who}_client")
    response = client.get(f"/sessions/{session.pk}/superbill/")
    page = response.content.decode()
    assert response.status_code == 409 and "note is not signed yet" in page and "20560" not in page
    assert (f'href="/sessions/{session.pk}/note/"' in page) == (who == "alice")
    pdf = client.get(f"/sessions/{session.pk}/superbill.pdf")
    assert pdf.status_code == 409 and "note is not signed yet" in pdf.content.decode()
    sign(alice, session)
    assert client.get(f"/sessions/{session.pk}/superbill.pdf").status_code == 200


def test_two_sessions_on_one_date_of_service_are_flagged_on_page_and_pdf(alice, dana, alice_client, ready_episode):
    first = claim_ready(alice, dana, ready_episode)
    second = complete_session(alice, ready_episode)
    sign(alice, second)
    # Earlier on the same date of service in the clinic's time zone (90 minutes before, or that
    # day's midnight when the test runs just after it: the date must not change).
    local = second.started_at.astimezone(ZoneInfo(ready_episode.clinic.time_zone))
    midnight = datetime.combine(local.date(), datetime.min.time(), tzinfo=local.tzinfo)
    earlier = max(second.started_at - timedelta(minutes=90), midnight)
    Session.unscoped.filter(pk=first.pk).update(started_at=earlier)
    page = alice_client.get(f"/sessions/{second.pk}/superbill/").content.decode()
    assert f"session #{first.pk}" in page and "one claim per date of service" in page
    text = " ".join(pdf_text(alice_client.get(f"/sessions/{first.pk}/superbill.pdf").content).split())
    assert f"session #{second.pk}" in text and "one claim per date of service" in text
