"""The audit page an auditor can use (issue 9): patient names resolved at display time, filters by
user, patient, action, outcome and dates, pagination, an audited CSV export, and a per-patient
access report linked from the patient page for clinic admins."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import AuditEvent


def _rows(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [line for line in response.content.decode().split("<tr") if "<td>" in line]


@pytest.mark.django_db
def test_the_page_shows_the_patients_name_the_row_never_holds(dana_client, patient_a):
    page = dana_client.get("/clinic/audit/?action=patient.create")
    assert "Zelda Quimby (A-0001)" in page.content.decode()
    event = AuditEvent.objects.get(action="patient.create")
    assert event.patient_id == patient_a.pk and "Quimby" not in f"{event.detail}{event.object_id}"


@pytest.mark.django_db
def test_filters_by_user_patient_action_outcome_and_dates(dana_client, alice, bob_client, patient_a):
    bob_client.get(f"/patients/{patient_a.pk}/")  # bob opens the record
    assert all("bob@a.test" in row for row in _rows(dana_client.get("/clinic/audit/?user=bob@a.test")))
    assert len(_rows(dana_client.get("/clinic/audit/?user=bob@a.test&action=patient.view"))) == 1
    assert "No events." in dana_client.get("/clinic/audit/?patient=NOPE-1").content.decode()
    by_patient = _rows(dana_client.get("/clinic/audit/?patient=a-0001"))
    assert by_patient and all("Zelda Quimby" in row for row in by_patient)
    assert "No events." in dana_client.get("/clinic/audit/?outcome=denied").content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "No events." in dana_client.get(f"/clinic/audit/?date_from={tomorrow}").content.decode()
    assert _rows(dana_client.get(f"/clinic/audit/?date_to={tomorrow}"))
    bad = dana_client.get(f"/clinic/audit/?date_from={tomorrow}&date_to=2020-01-01")
    assert "The end date comes before the start date." in bad.content.decode()


@pytest.mark.django_db
def test_pages_keep_the_filters(dana_client, alice):
    for n in range(60):
        audit_record(actor=alice, action="test.bulk", detail={"n": n})
    first = dana_client.get("/clinic/audit/?action=test.bulk").content.decode()
    assert "Page 1 of 2" in first and "action=test.bulk&amp;page=2" in first
    assert len(_rows(dana_client.get("/clinic/audit/?action=test.bulk&page=2"))) == 10


@pytest.mark.django_db
def test_csv_export_is_filtered_named_and_itself_audited(dana, dana_client, alice_client, patient_a):
    response = dana_client.get("/clinic/audit/?patient=A-0001&export=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "time_utc" and len(rows) > 1
    assert all(row[-1] == "Zelda Quimby (A-0001)" for row in rows[1:])
    export = AuditEvent.objects.get(action="audit.export", actor=dana)
    assert export.detail["filters"] == {"patient_ids": str(patient_a.pk)}  # ids, never the MRN or name
    assert alice_client.get("/clinic/audit/?export=csv").status_code == 403


@pytest.mark.django_db
def test_csv_cells_never_run_as_formulas(dana_client, alice):
    audit_record(actor=alice, action="=HYPERLINK(1)")
    body = b"".join(dana_client.get("/clinic/audit/?export=csv").streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


@pytest.mark.django_db
def test_access_report_lists_who_saw_the_record(dana_client, alice_client, bob_client, carol_client, patient_a):
    alice_client.get(f"/patients/{patient_a.pk}/")
    detail = dana_client.get(f"/patients/{patient_a.pk}/").content.decode()
    assert f"/patients/{patient_a.pk}/access-report/" in detail  # linked for the clinic admin
    assert "access-report" not in alice_client.get(f"/patients/{patient_a.pk}/").content.decode()
    report = dana_client.get(f"/patients/{patient_a.pk}/access-report/")
    body = report.content.decode()
    assert report.status_code == 200
    assert "alice@a.test" in body and "patient.view" in body
    refused = bob_client.get(f"/patients/{patient_a.pk}/access-report/")
    assert refused.status_code == 403 and "clinic admins" in refused.content.decode()
    assert carol_client.get(f"/patients/{patient_a.pk}/access-report/").status_code == 404


@pytest.mark.django_db
def test_access_report_shows_refused_attempts_from_another_clinic(dana_client, carol_client, patient_a):
    assert carol_client.get(f"/patients/{patient_a.pk}/").status_code == 404
    body = dana_client.get(f"/patients/{patient_a.pk}/access-report/").content.decode()
    assert "carol@b.test" in body and "Denied" in body
