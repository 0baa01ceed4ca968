"""Previewing and importing Jane and Cliniko files: all or nothing, idempotent, per clinic, admins only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from dryneedling.accounts.models import AuditEvent
from dryneedling.interop.csv_import import plan_file, run
from dryneedling.interop.models import ExternalId
from dryneedling.patients.models import Patient
from dryneedling.scheduling import rules
from dryneedling.scheduling.models import Appointment

FIXTURES = Path(__file__).parent / "fixtures" / "csv"
pytestmark = pytest.mark.django_db


def _run(actor, name_or_data, kind, *, commit=True, **options):  # type: ignore[no-untyped-def]
    data = (FIXTURES / name_or_data).read_bytes() if isinstance(name_or_data, str) else name_or_data
    return run(actor=actor, plan=plan_file(data=data, kind=kind, **options), commit=commit)


def _patients(clinic):  # type: ignore[no-untyped-def]
    return Patient.objects.for_clinic(clinic)


def test_preview_counts_and_writes_nothing(dana, clinic_a):  # type: ignore[no-untyped-def]
    report = _run(dana, "jane_patients.csv", "patients", commit=False)
    assert report.counts == {"new": 3, "imported": 0, "duplicate": 0, "error": 0, "rows": 3}
    assert not report.committed and not _patients(clinic_a).exists()
    assert not ExternalId.objects.for_clinic(clinic_a).exists()
    assert report.rows[0].shown["Name"] == "Maya Lindqvist"
    assert AuditEvent.objects.filter(action="csv_import.preview", actor=dana).exists()


def test_import_then_second_import_is_idempotent(dana, clinic_a):  # type: ignore[no-untyped-def]
    first = _run(dana, "jane_patients.csv", "patients")
    assert first.committed and first.counts["new"] == 3
    maya = _patients(clinic_a).get(family_name="Lindqvist")
    assert maya.mrn and maya.email == "maya@example.test" and str(maya.date_of_birth) == "1980-05-17"
    link = ExternalId.objects.for_clinic(clinic_a).get(value="1001")
    assert (link.kind, link.system, link.source, link.object_id) == (
        "patient",
        "https://jane.app/patient-id",
        "jane",
        maya.pk,
    )
    again = _run(dana, "jane_patients.csv", "patients")
    assert again.counts == {"new": 0, "imported": 3, "duplicate": 0, "error": 0, "rows": 3}
    assert _patients(clinic_a).count() == 3
    assert AuditEvent.objects.filter(action="patient.create", actor=dana).count() == 3
    assert AuditEvent.objects.filter(action="csv_import.import").count() == 2


def test_a_patient_already_in_the_clinic_is_a_possible_duplicate(dana, alice, clinic_a):  # type: ignore[no-untyped-def]
    from datetime import date

    from dryneedling.patients.services import patient_create

    patient_create(
        actor=alice, given_name="maya", family_name="LINDQVIST", date_of_birth=date(1980, 5, 17), sex="female"
    )
    report = _run(dana, "jane_patients.csv", "patients")
    assert report.counts["duplicate"] == 1 and report.counts["new"] == 2
    assert _patients(clinic_a).filter(family_name__iexact="lindqvist").count() == 1


def test_row_errors_name_the_row_and_column_and_nothing_is_imported(dana, clinic_a):  # type: ignore[no-untyped-def]
    data = (
        b"Patient Number,First Name,Last Name,Birth Date,Sex,Email,First Visit\n"
        b"1,Ann,Lee,14/02/1990,Female,,\n"
        b"2,Bo,Ng,31/02/1980,Male,,\n"
        b"3,Cy,Ro,01/01/2001,Robot,,\n"
        b"4,,Ro,01/01/2001,Male,not-an-email,\n"
        b"4,Di,Su,02/02/2002,Female,,\n"
    )
    report = _run(dana, data, "patients")
    assert not report.committed and report.counts["error"] == 4 and report.counts["new"] == 1
    errors = {r.number: r.errors for r in report.rows if r.errors}
    assert errors[3][0][0] == "Birth Date" and "not a date of the calendar" in errors[3][0][1]
    assert errors[4][0][0] == "Sex"
    assert ("First Name", "This field is required.") in errors[5]
    assert errors[6][0][0] == "Patient Number" and "also on row 5" in errors[6][0][1]
    assert not _patients(clinic_a).exists() and not ExternalId.objects.for_clinic(clinic_a).exists()
    assert "first: row 3 (Birth Date)" in report.error_line()


def test_cliniko_patients_then_appointments(dana, alice, clinic_a):  # type: ignore[no-untyped-def]
    clinic_a.time_zone = "Australia/Melbourne"
    clinic_a.save()
    assert _run(dana, "cliniko_patients.csv", "patients").committed
    report = _run(dana, "cliniko_appointments.csv", "appointments")
    assert report.committed, report.as_dict()
    chloe_visit = Appointment.objects.for_clinic(clinic_a).get(patient__family_name="Nguyen")
    assert chloe_visit.starts_at == datetime(2025, 2, 3, 23, 0, tzinfo=UTC)  # 10:00 in Melbourne
    assert chloe_visit.status == rules.DONE and chloe_visit.clinician == alice
    assert chloe_visit.appointment_type.name == "Initial assessment"
    cancelled = Appointment.objects.for_clinic(clinic_a).get(patient__family_name="O'Brien")
    assert cancelled.status == rules.CANCELLED and cancelled.cancel_reason == "Feeling better"
    assert AuditEvent.objects.filter(action="appointment.import").count() == 2
    assert _run(dana, "cliniko_appointments.csv", "appointments").counts["imported"] == 2


def test_jane_appointments_past_and_future_in_the_clinic_zone(dana, alice, clinic_a):  # type: ignore[no-untyped-def]
    clinic_a.time_zone = "America/Vancouver"
    clinic_a.save()
    _run(dana, "jane_patients.csv", "patients")
    report = _run(dana, "jane_appointments.csv", "appointments")
    assert report.committed, report.as_dict()
    book = {a.starts_at: a for a in Appointment.objects.for_clinic(clinic_a)}
    first = book[datetime(2025, 1, 14, 17, 0, tzinfo=UTC)]  # 09:00 PST
    assert first.status == rules.DONE and first.ends_at == datetime(2025, 1, 14, 18, 0, tzinfo=UTC)
    assert book[datetime(2025, 1, 21, 22, 30, tzinfo=UTC)].status == rules.NO_SHOW  # 2:30 PM
    massage = book[datetime(2025, 1, 28, 19, 0, tzinfo=UTC)]
    assert massage.status == rules.CANCELLED and massage.appointment_type.name == "Dry-needling follow-up"
    assert any("Massage" in note for r in report.rows for note in r.notes)
    future = book[datetime(2031, 6, 3, 16, 0, tzinfo=UTC)]  # 09:00 PDT, day-first like the column
    assert future.status == rules.BOOKED


def test_appointment_rows_name_unknown_patients_and_clinicians(dana, alice, clinic_a):  # type: ignore[no-untyped-def]
    data = (
        b"ID,Patient ID,Patient Name,Practitioner,Appointment Type,Appointment Start,Appointment End\n"
        b"1,404,Nobody Here,Alice Adams,,2025-02-03T23:00:00Z,2025-02-04T00:00:00Z\n"
    )
    report = _run(dana, data, "appointments", source="cliniko")
    assert report.rows[0].errors == [
        ("Patient ID", "The patient id '404' is not in the clinic: import the patients file first.")
    ]
    _run(dana, "cliniko_patients.csv", "patients")
    data = data.replace(b"404", b"90001").replace(b"Alice Adams", b"Zed Zulu")
    report = _run(dana, data, "appointments", source="cliniko")
    assert report.rows[0].errors == [("Practitioner", "No clinician of this clinic is named 'Zed Zulu'.")]


def test_a_patient_found_by_name_and_date_of_birth(dana, alice, clinic_a, patient_a):  # type: ignore[no-untyped-def]
    data = (
        b"ID,Patient Name,Date of Birth,Practitioner,Appointment Start,Appointment End\n"
        b"1,Zelda Quimby,1980-05-17,Alice Adams,2025-02-03T23:00:00Z,2025-02-04T00:00:00Z\n"
    )
    report = _run(dana, data, "appointments", source="cliniko")
    assert report.committed and Appointment.objects.for_clinic(clinic_a).get().patient == patient_a


def test_a_clash_with_the_book_is_a_row_error(dana, alice, clinic_a):  # type: ignore[no-untyped-def]
    _run(dana, "cliniko_patients.csv", "patients")
    data = (
        b"ID,Patient ID,Practitioner,Appointment Start,Appointment End\n"
        b"1,90001,Alice Adams,2030-02-03T23:00:00Z,2030-02-04T00:00:00Z\n"
        b"2,90002,Alice Adams,2030-02-03T23:30:00Z,2030-02-04T00:30:00Z\n"
    )  # visits still ahead: past ones are history, taken as they were (services_import)
    report = _run(dana, data, "appointments", source="cliniko")
    assert not report.committed and report.rows[1].errors[0][0] == "Appointment Start"
    assert "already has an appointment" in report.rows[1].errors[0][1]
    assert not Appointment.objects.for_clinic(clinic_a).exists()


def test_only_a_clinic_admin_imports(alice, bob):  # type: ignore[no-untyped-def]
    for actor in (alice, bob):
        with pytest.raises(PermissionDenied, match="Only a clinic admin imports patients"):
            _run(actor, "jane_patients.csv", "patients")


def test_imports_stay_in_the_importing_clinic(dana, carol, clinic_a, clinic_b):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.services import user_create
    from tests.conftest import PASSWORD

    admin_b = user_create(
        email="bea@b.test", full_name="Bea B", clinic=clinic_b, role="clinic_admin", password=PASSWORD
    )
    assert _run(dana, "jane_patients.csv", "patients").counts["new"] == 3
    # The same Jane ids are new to clinic B: ExternalIds are per clinic.
    assert _run(admin_b, "jane_patients.csv", "patients").counts["new"] == 3
    assert _patients(clinic_a).count() == 3 and _patients(clinic_b).count() == 3
    # Clinic B cannot attach appointments to clinic A's clinicians.
    report = _run(admin_b, "jane_appointments.csv", "appointments")
    assert report.counts["error"] == 4 and "No clinician of this clinic" in report.rows[0].errors[0][1]


def test_the_scheduling_import_path_is_an_importers(alice, bob, dana, patient_a):  # type: ignore[no-untyped-def]
    """Since the merge with the FHIR import the scheduling path is `require_importer` (clinic admin
    or clinician); the CSV import itself stays a clinic admin's (`run`, test_only_a_clinic_admin_imports)."""
    from dryneedling.scheduling.services import appointment_types_seed
    from dryneedling.scheduling.services_import import appointment_import

    kind = appointment_types_seed(clinic=patient_a.clinic)[0]
    start = datetime(2024, 1, 2, 3, 0, tzinfo=UTC)  # a past day, at night: history is taken as it was
    with pytest.raises(PermissionDenied):
        appointment_import(
            actor=bob,
            clinician=alice,
            patient=patient_a,
            appointment_type=kind,
            starts_at=start,
            ends_at=start.replace(hour=4),
            status=rules.DONE,
        )
    made = appointment_import(
        actor=dana,
        clinician=alice,
        patient=patient_a,
        appointment_type=kind,
        starts_at=start,
        ends_at=start.replace(hour=4),
        status=rules.DONE,
    )
    assert made.status == rules.DONE and made.booked_by == dana
