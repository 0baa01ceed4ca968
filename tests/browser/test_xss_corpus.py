"""Stored XSS: a corpus of payloads through every free-text field a clinician writes, rendered
through every page that shows them, in real Chromium (issue 9).

Each payload goes into one patient's record in full: names, address and notes, episode reason and
diagnosis text, screening notes, a needled point's response and override reason, a side effect's
management and notes, the four note sections, an amendment and its reason, the home-care note and a
sharps incident. Every page that shows that record is then opened in Chromium. A payload that
escaped its text would create an element carrying `data-xss`, set `window.__xss`, or open a dialog:
none may happen. The superbill PDF must still render with the text in it.
"""

from __future__ import annotations

from datetime import date

from dryneedling.clinical.intake import all_clear_answers

PAYLOADS = (
    "<script>window.__xss=1</script>",
    '<img data-xss src=x onerror="window.__xss=1">',
    '"><svg data-xss onload=alert(1)>',
    "'><b data-xss>bold</b>",
    "</textarea><b data-xss>t</b>",
    "</title><b data-xss>t</b>",
    '<iframe data-xss src="javascript:alert(1)"></iframe>',
    '<a data-xss href="javascript:alert(1)">x</a>',
    "{{7*7}}<b data-xss>t</b>",
    "{% debug %}<i data-xss>t</i>",
    "<details data-xss open ontoggle=alert(1)>",
    '<math><mi data-xss xlink:href="javascript:alert(1)">x</mi></math>',
    "<style>@import 'x'</style><b data-xss>t</b>",
    '" onmouseover="alert(1)" data-xss="',
    "' onfocus='alert(1)' autofocus data-xss='",
    "<body data-xss onload=alert(1)>",
    '<object data-xss data="javascript:alert(1)">',
    '<embed data-xss src="data:text/html,<script>alert(1)</script>">',
    '<form data-xss action="javascript:alert(1)"><button>x</button></form>',
    "<input data-xss autofocus onfocus=alert(1)>",
    '<video data-xss><source onerror="alert(1)"></video>',
    "<marquee data-xss onstart=alert(1)>",
    "<<b data-xss>>",
    "<ScRiPt>window.__xss=1</sCrIpT>",
    "&lt;b data-xss&gt;",
    "</script><b data-xss>t</b>",
    '<base data-xss href="http://evil.test/">',
    '<meta data-xss http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<link data-xss rel=stylesheet href=http://evil.test/x.css>",
    "<table data-xss><tr><td>x</td></tr></table>",
)
FIELDS = (
    "patient.given_name",
    "patient.address",
    "patient.notes",
    "patient.insurance_payer",
    "patient.insurance_member_id",
    "patient.emergency_contact_name",
    "patient.emergency_contact_relationship",
    "patient.referring_physician_name",
    "patient.decision_maker_name",
    "patient.decision_maker_relationship",
    "episode.reason",
    "episode.diagnosis_text",
    "screening.notes",
    "insertion.patient_response",
    "insertion.override_reason",
    "side_effect.management",
    "side_effect.notes",
    "note.subjective",
    "note.objective",
    "note.assessment",
    "note.plan",
    "amendment.text",
    "amendment.reason",
    "home_care.note",
    "sharps.description",
    "sharps.immediate_action",
)


def _record(alice, n: int, payload: str):  # type: ignore[no-untyped-def]
    """One patient whose every free-text field holds the payload; returns (patient, episode, session, incident)."""
    from dryneedling.care.adverse import adverse_event_record
    from dryneedling.care.session import insertion_record
    from dryneedling.followup.homecare import home_care_plan_create, home_care_plan_update
    from dryneedling.intake.services import screening_record
    from dryneedling.patients.services import episode_create, patient_create
    from dryneedling.safetyrecords.services import sharps_incident_report
    from dryneedling.treatment.services.chart import consent_record, optional_consent_items
    from dryneedling.treatment.services.note import note_amend, note_sign, note_update
    from tests.treatment.conftest import finish, plan, start_session

    family = f"Xss{n:02d}"
    patient = patient_create(
        actor=alice,
        mrn=f"XSS-{n}",
        given_name=payload[:100],
        family_name=family,
        date_of_birth=date(1980, 1, 1),
        sex="female",
        address=payload[:300],
        notes=payload,
        insurance_payer=payload[:200],
        insurance_member_id=payload[:64],
        emergency_contact_name=payload[:200],
        emergency_contact_relationship=payload[:100],
        emergency_contact_phone="+1 555 0100",
        referring_physician_name=payload[:200],
        decision_maker_name=payload[:200],
        decision_maker_relationship=payload[:100],
    )
    episode = episode_create(
        actor=alice,
        patient=patient,
        conditions=[("M54.2", payload[:200])],
        reason=payload[:300],
        referral_source="self",
        start_date=date(2026, 1, 5),
        end_date=None,
        status="active",
    )
    screening_record(actor=alice, patient=patient, answers=all_clear_answers(age=46, notes=payload))
    consent_record(
        actor=alice, patient=patient, signed_name=f"{payload[:100]} {family}", optional_items=optional_consent_items()
    )
    session = start_session(alice, episode)
    session.refresh_from_db()
    insertion_record(
        actor=alice,
        session=session,
        expected_version=session.version,
        plan=plan(),
        planned_seconds=30,
        actual_seconds=28,
        twitch_count=1,
        patient_response=payload[:300],
        override_reason=payload[:500],
    )
    adverse_event_record(
        actor=alice,
        session=session,
        kind="bruising",
        severity="mild",
        onset="during",
        management=payload,
        notes=payload,
    )
    finish(alice, session)
    note = session.note
    sections = {name: payload for name in ("subjective", "objective", "assessment", "plan")}
    note = note_update(actor=alice, session_id=session.pk, expected_version=note.version, sections=sections)
    note_sign(actor=alice, session_id=session.pk, expected_version=note.version)
    note_amend(actor=alice, session_id=session.pk, section="plan", text=payload, reason=payload[:500])
    plan = home_care_plan_create(actor=alice, episode=episode)
    home_care_plan_update(actor=alice, record=plan, expected_version=plan.version, edits={}, note=payload)
    incident = sharps_incident_report(
        actor=alice,
        kind="needle_found",
        person="patient",
        session=session,
        description=payload,
        immediate_action=payload,
    )
    return patient, episode, session, incident


def test_no_payload_executes_or_creates_markup(signed_in_page, live_server, alice):  # type: ignore[no-untyped-def]
    from tests.treatment.conftest import ensure_trained

    page, base = signed_in_page, live_server.url
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ensure_trained(alice)
    records = [_record(alice, n, payload) for n, payload in enumerate(PAYLOADS)]

    pages = 0
    problems: list[str] = []

    def visit(url: str) -> None:
        nonlocal pages
        page.goto(base + url)
        page.wait_for_load_state("networkidle")
        found = page.evaluate("() => document.querySelectorAll('[data-xss]').length + (window.__xss ? 1000 : 0)")
        pages += 1
        if found:
            problems.append(f"{url}: {found}")

    per_record = 0
    for patient, episode, session, incident in records:
        urls = (
            f"/patients/{patient.pk}/",
            f"/patients/{patient.pk}/edit/",
            f"/episodes/{episode.pk}/edit/",
            f"/episodes/{episode.pk}/chart/",
            f"/sessions/{session.pk}/",
            f"/sessions/{session.pk}/note/",
            f"/sessions/{session.pk}/superbill/",
            f"/episodes/{episode.pk}/home-care/",
            f"/clinic/sharps/{incident.pk}/",
        )
        per_record = len(urls)
        for url in urls:
            visit(url)
    lists = (
        "/patients/",
        "/patients/?page=2",
        "/patients/?q=Xss",
        "/followup/",
        "/clinic/",
        "/clinic/sharps/",
        "/today/",
    )
    for url in lists:
        visit(url)
    response = page.request.get(f"{base}/sessions/{records[0][2].pk}/superbill.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    print(
        f"\nXSS corpus: {len(PAYLOADS)} payloads x {len(FIELDS)} fields, {per_record} record pages per payload"
        f" + {len(lists)} list pages = {pages} pages rendered in Chromium"
    )
    assert not dialogs, dialogs
    assert not problems, problems
