"""The analytics pages: who sees them, bad filters, the CSV downloads, the SVGs' text alternatives,
the audit rows, tenancy, the CUSUM alert to the clinic admins, and a constant number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dryneedling.accounts.models import AuditEvent
from tests.reports import factory as f

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def data(clinic_a, clinic_b, alice, mia, carol):  # type: ignore[no-untyped-def]
    ep = f.episode(clinic_a, completed_at=f.T0)
    s = f.session(ep, alice, effects=(("bruising", "mild"),))
    f.session(ep, mia, at=f.T0 + timedelta(days=1), effects=(("pneumothorax", "serious"),))
    f.score(ep, value=3, baseline=7, responder=True, after=timedelta(days=30))
    f.check_in(s, kind="soreness", due_at=f.T0 + timedelta(days=1), answered=True)
    other = f.episode(clinic_b, completed_at=f.T0)
    f.session(other, carol, effects=(("bleeding", "mild"),))
    return ep


def test_admin_sees_every_section_without_patient_names(dana_client, data):  # type: ignore[no-untyped-def]
    response = dana_client.get("/analytics/")
    assert response.status_code == 200
    body = response.content.decode()
    for heading in ("Outcomes by time window", "Side effects", "Per-clinician safety", "Check-in response rates"):
        assert heading in body
    assert "Non-response biases every figure above" in body
    assert "Brady" in body and "Boyce" in body and "Sanchez-Infante" in body
    assert data.patient.given_name not in body and data.patient.family_name not in body and data.patient.mrn not in body
    assert "Pneumothorax" in body and "open" in body
    event = AuditEvent.objects.filter(action="analytics.view").latest("at")
    assert event.detail["counts"]["sessions"] == 2 and event.patient_id is None


def test_front_desk_is_refused_in_words(bob_client, data):  # type: ignore[no-untyped-def]
    response = bob_client.get("/analytics/")
    assert response.status_code == 403
    assert b"analytics" in response.content


@pytest.mark.parametrize(
    "query", ["date_from=yesterday", "clinician=99999", "clinician=abc", "region=moon", "icd10=%3D1%2B1",
              "date_from=2026-05-01&date_to=2026-04-01", "condition=nope"],
)  # fmt: skip
def test_a_bad_filter_is_a_field_error(dana_client, data, query):  # type: ignore[no-untyped-def]
    response = dana_client.get(f"/analytics/?{query}")
    assert response.status_code == 400
    assert b'class="error" role="alert"' in response.content
    assert dana_client.get(f"/analytics/outcomes.csv?{query}").status_code == 404


def test_filter_by_clinician_and_csv(dana_client, alice, data):  # type: ignore[no-untyped-def]
    rows = _csv(dana_client.get(f"/analytics/funnel.csv?clinician={alice.pk}"))
    assert rows[0][:3] == ["clinician", "sessions", "with_side_effect"]
    assert [r[:3] for r in rows[1:]] == [["Alice Adams", "1", "1"]]
    outcomes = _csv(dana_client.get("/analytics/outcomes.csv"))
    by_window = {r[0]: r for r in outcomes[1:]}
    assert by_window["4–12 weeks"][1:4] == ["1", "1", "-4.0000"]  # a number stays a number
    assert "Sanchez-Infante" in by_window["4–12 weeks"][-1]
    kinds = _csv(dana_client.get("/analytics/side-effects.csv"))
    assert ["Bruising", "session", "1", "2"] in [r[:4] for r in kinds]
    assert AuditEvent.objects.filter(action="analytics.export", object_id="side-effects").exists()


def test_csv_cells_cannot_run_as_formulas(dana_client, clinic_a):  # type: ignore[no-untyped-def]
    from tests.conftest import _user

    evil = _user("evil@a.test", '=HYPERLINK("http://x")', clinic_a, "clinician")
    f.session(f.episode(clinic_a), evil)
    rows = _csv(dana_client.get("/analytics/funnel.csv"))
    assert rows[1][0].startswith("'=")


def test_svgs_carry_a_text_alternative(dana_client, data):  # type: ignore[no-untyped-def]
    for chart in ("outcomes", "side-effects", "funnel", "cusum", "check-ins"):
        response = dana_client.get(f"/analytics/{chart}.svg")
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        svg = response.content.decode()
        assert "<title" in svg and "<desc>" in svg
        assert data.patient.family_name not in svg
    assert dana_client.get("/analytics/nope.svg").status_code == 404


def test_another_clinics_data_is_never_counted(carol_client, data):  # type: ignore[no-untyped-def]
    rows = _csv(carol_client.get("/analytics/side-effects.csv"))
    any_session = next(r for r in rows if r[0] == "Any side effect" and r[1] == "session")
    assert any_session[2:4] == ["1", "1"]  # Carol's one session, not clinic A's two
    assert "Alice Adams" not in carol_client.get("/analytics/").content.decode()


def test_cusum_crossing_mails_the_admins_once(dana_client, clinic_a, alice, dana):  # type: ignore[no-untyped-def]
    ep = f.episode(clinic_a)
    for day in range(8):
        f.session(ep, alice, at=f.T0 + timedelta(days=day), effects=(("pneumothorax", "serious"),))
    mail.outbox.clear()
    assert dana_client.get("/analytics/?region=head_neck").status_code == 200
    assert mail.outbox == []  # a filtered chart's case numbers are not the clinician's: no alert from it
    assert dana_client.get("/analytics/").status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [dana.email]
    assert "Alice Adams" in mail.outbox[0].body and "session number 7" in mail.outbox[0].body
    assert ep.patient.family_name not in mail.outbox[0].body
    dana_client.get("/analytics/")
    dana_client.get(f"/analytics/?clinician={alice.pk}")
    assert len(mail.outbox) == 1  # once per crossing
    assert AuditEvent.objects.filter(action="analytics.cusum_signal", object_id=str(alice.pk)).count() == 1


def _queries(client) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The page's queries when it computes the figures, and when it reads them as stored."""
    from dryneedling.reports.models import DashboardSnapshot

    DashboardSnapshot.objects.all().delete()
    counts = []
    for _ in ("computed", "stored"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/analytics/?region=head_neck&icd10=M54").status_code == 200
        counts.append(len(captured))
    return counts[0], counts[1]


def test_the_page_makes_a_constant_number_of_queries(dana_client, clinic_a, alice, mia):  # type: ignore[no-untyped-def]
    ep = f.episode(clinic_a, completed_at=f.T0)
    f.session(ep, alice, effects=(("bruising", "mild"),))
    f.score(ep, value=3, baseline=7, responder=True, after=timedelta(days=30))
    from dryneedling.accounts.ratelimit import rate_limit_hit

    rate_limit_hit(scope="analytics-compute", key=f"clinic:{clinic_a.pk}")  # the limit's window is open
    small = _queries(dana_client)
    for n in range(12):
        more = f.episode(clinic_a, completed_at=f.T0)
        s = f.session(more, alice if n % 2 else mia, effects=(("bleeding", "mild"), ("pneumothorax", "serious")))
        f.check_in(s, kind="week_1", due_at=f.T0 + timedelta(days=7), answered=n % 3 == 0)
        for window in (2, 10, 30, 100):
            f.score(more, value=n % 10, baseline=8, responder=n % 2 == 0, after=timedelta(days=window))
    assert _queries(dana_client) == small
    assert small[1] < small[0] - 10  # a stored read skips the aggregates


def test_the_periodic_job_mails_a_crossing_nobody_looked_at(clinic_a, alice, dana):  # type: ignore[no-untyped-def]
    from dryneedling.reports.analytics.services import cusum_signals_check_all

    ep = f.episode(clinic_a)
    for day in range(8):
        f.session(ep, alice, at=f.T0 + timedelta(days=day), effects=(("pneumothorax", "serious"),))
    mail.outbox.clear()
    assert cusum_signals_check_all() == 1  # nobody opened the dashboard
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [dana.email]
    assert "session number 7" in mail.outbox[0].body
    assert cusum_signals_check_all() == 0 and len(mail.outbox) == 1  # once per crossing


def test_send_due_keeps_stdout_one_json_line_when_it_mails_a_crossing(clinic_a, alice, dana, settings, capsys):  # type: ignore[no-untyped-def]
    """The console email backend prints each message: the job's mail goes to stderr, never before its
    JSON line."""
    import json

    from dryneedling.cli import main

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    ep = f.episode(clinic_a)
    for day in range(8):
        f.session(ep, alice, at=f.T0 + timedelta(days=day), effects=(("pneumothorax", "serious"),))
    capsys.readouterr()
    assert main(["send-due"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["cusum_signals"] == 1
    assert "crossed its limit" in err
