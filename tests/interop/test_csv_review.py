"""Review of the CSV import (issue 13): defects found by reading it as a clinic admin moving from
Jane App or Cliniko, and as an attacker. Each test failed before its fix."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dryneedling.interop.csv_import import plan_file, run
from dryneedling.interop.csv_import.parse import read_table
from dryneedling.interop.csv_import.rows import RowError, appointment_values, patient_values
from dryneedling.interop.models import ExternalId
from dryneedling.patients.models import Patient, Sex
from dryneedling.scheduling import rules

HEADER = "ID,First Name,Last Name,Date of Birth,Address,Notes,First Visit"


def _filler(count: int) -> list[str]:
    return [f"{i},Given{i},Family{i},1980-01-01,1 Road,none," for i in range(2, 2 + count)]


# --- the file's quoting ----------------------------------------------------------------------------
def test_a_quoted_word_in_an_early_note_does_not_split_later_quoted_cells() -> None:
    """The sniffer took ' as the quote character from "'Bob'" in a note, so a later Excel-quoted
    cell with a comma was split in two and every cell after it moved one column right."""
    lines = [HEADER, "1,Robert,Smith,1980-01-01,12 High St,Likes to be called 'Bob' here,"]
    lines += _filler(23)
    lines.append('30,Jane,Doe,1980-01-01,"12 Main St, Sydney",notes,')
    table = read_table("\n".join(lines).encode())
    assert table.rows[-1][1] == ["30", "Jane", "Doe", "1980-01-01", "12 Main St, Sydney", "notes", ""]


def test_doubled_quotes_after_the_sniffed_lines_are_one_quote() -> None:
    """Quoted cells without a doubled quote in the first 20 lines made the sniffer turn doubled
    quotes off: 'Smith "JJ" Jones' later in the file was read as 'Smith "JJ"" Jones"'."""
    lines = [HEADER, '1,Robert,Smith,1980-01-01,"12 High St, Sydney",x,']
    lines += _filler(23)
    lines.append('30,Jo,"Smith ""JJ"" Jones",1980-01-01,x,y,')
    table = read_table("\n".join(lines).encode())
    assert table.rows[-1][1][2] == 'Smith "JJ" Jones'


# --- which column wins ---------------------------------------------------------------------------
def test_a_sex_column_wins_over_cliniko_gender_identity() -> None:
    """Source-only names were preferred, so Cliniko's free-text Gender Identity replaced the
    recorded Sex whenever both columns were there."""
    data = b"ID,First Name,Last Name,Date of Birth,Sex,Gender Identity,Medicare\n1,Al,Ng,1970-07-08,Female,Male,\n"
    plan = plan_file(data=data, kind="patients")
    assert plan.source == "cliniko"
    assert patient_values(plan, plan.table.rows[0][1])["sex"] == Sex.FEMALE


def test_jane_mobile_wins_over_home_and_work_phone() -> None:
    """Jane-only Home/Work Phone were preferred to Mobile Phone: the number reminders go to was lost."""
    data = (
        b"Patient Number,First Name,Last Name,Birth Date,Mobile Phone,Home Phone,Work Phone,First Visit\n"
        b"1001,Maya,Lindqvist,1980-05-17,604-555-0101,604-555-0199,604-555-0188,\n"
    )
    plan = plan_file(data=data, kind="patients")
    assert patient_values(plan, plan.table.rows[0][1])["phone"] == "604-555-0101"


# --- values mangled or cut -----------------------------------------------------------------------
def test_a_phone_number_in_brackets_keeps_its_opening_bracket() -> None:
    data = b"ID,First Name,Last Name,Date of Birth,Patient Phone Numbers\n5,Al,Ng,1970-07-08,Home: (03) 9555 0102\n"
    plan = plan_file(data=data, kind="patients", source="cliniko")
    assert patient_values(plan, plan.table.rows[0][1])["phone"] == "(03) 9555 0102"


@pytest.mark.django_db
def test_an_address_too_long_is_a_row_error_not_cut(dana, clinic_a) -> None:  # type: ignore[no-untyped-def]
    """The joined address was cut at 300 characters without a word: now the row says so."""
    street = "Unit 4, " + "Long Street Name " * 20
    data = f'ID,First Name,Last Name,Date of Birth,Address,City,First Visit\n1,Al,Ng,1970-07-08,"{street}",Perth,\n'
    report = run(actor=dana, plan=plan_file(data=data.encode(), kind="patients"), commit=True)
    assert not report.committed and report.rows[0].errors[0][0] == "Address"
    assert not Patient.objects.for_clinic(clinic_a).exists()


def test_n_a_in_a_did_not_arrive_column_is_not_a_no_show() -> None:
    """'N/A' in a flag column (No Show, Cancelled) counted as yes: the visit became a no-show."""
    data = (
        b"ID,Patient ID,Practitioner,Appointment Start,Appointment End,Did Not Arrive,Cancelled\n"
        b"1,90001,Alice Adams,2025-02-03T23:00:00Z,2025-02-04T00:00:00Z,N/A,n/a\n"
    )
    plan = plan_file(data=data, kind="appointments", source="cliniko")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    values = appointment_values(plan, plan.table.rows[0][1], zone="UTC", now=now)
    assert values.status == rules.BOOKED


# --- two imports of the same file at once --------------------------------------------------------
@pytest.mark.django_db
def test_a_record_imported_meanwhile_is_a_row_error_not_a_500(dana, clinic_a, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two uploads of one file imported at the same moment: the second met the first's ExternalId
    in the unique constraint and the IntegrityError was a 500. Simulated by hiding the known ids."""
    from dryneedling.interop.csv_import import service

    data = b"ID,First Name,Last Name,Date of Birth,First Visit\n1,Al,Ng,1970-07-08,\n"
    assert run(actor=dana, plan=plan_file(data=data, kind="patients"), commit=True).committed
    Patient.objects.for_clinic(clinic_a).update(given_name="Alfred")  # not a duplicate by name any more
    monkeypatch.setattr(service, "_external", lambda *args: {})
    report = run(actor=dana, plan=plan_file(data=data, kind="patients"), commit=True)
    assert not report.committed and "meanwhile" in report.rows[0].errors[0][1]
    assert Patient.objects.for_clinic(clinic_a).count() == 1
    assert ExternalId.objects.for_clinic(clinic_a).count() == 1


# --- bad values that were server errors ----------------------------------------------------------
APPOINTMENT_HEADER = b"ID,Patient ID,Practitioner,Appointment Start,Appointment End\n"


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2025-01-01T10:00:00+99:99", "not a time"),  # ValueError from the offset: a 500
        ("0001-01-01T00:00:00+10:00", "between 1900 and 2100"),  # OverflowError in the clinic's zone: a 500
        ("9999-12-31T23:00:00Z", "between 1900 and 2100"),
    ],
)
def test_an_impossible_offset_or_year_is_a_row_error(start: str, message: str) -> None:
    data = APPOINTMENT_HEADER + f"1,90001,Alice Adams,{start},\n".encode()
    plan = plan_file(data=data, kind="appointments", source="cliniko")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(RowError) as problem:
        appointment_values(plan, plan.table.rows[0][1], zone="Australia/Sydney", now=now)
    assert problem.value.column == "Appointment Start" and message in problem.value.message


@pytest.mark.django_db
def test_an_id_longer_than_the_identifier_column_is_a_row_error(dana, clinic_a) -> None:  # type: ignore[no-untyped-def]
    """ExternalId.value holds 255 characters: a longer id was a DataError (a 500) on PostgreSQL."""
    data = b"ID,First Name,Last Name,Date of Birth,First Visit\n" + b"9" * 256 + b",Al,Ng,1970-07-08,\n"
    report = run(actor=dana, plan=plan_file(data=data, kind="patients"), commit=True)
    assert not report.committed and "at most 255 characters" in report.rows[0].errors[0][1]
    assert not Patient.objects.for_clinic(clinic_a).exists()


# --- audit ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_import_audit_names_the_file_by_its_digest(dana, clinic_a) -> None:  # type: ignore[no-untyped-def]
    """The preview and import audit rows said kind, source and counts but not which file: an
    import could not be traced to the upload (or, from the command line, to any file)."""
    import hashlib

    from dryneedling.accounts.models import AuditEvent
    from dryneedling.interop.csv_import import csv_upload_store

    data = b"ID,First Name,Last Name,Date of Birth,First Visit\n1,Al,Ng,1970-07-08,\n"
    digest = hashlib.sha256(data).hexdigest()
    upload = csv_upload_store(actor=dana, data=data, filename="p.csv", kind="patients")
    assert AuditEvent.objects.get(action="csv_import.upload").detail["sha256"] == digest == upload.sha256
    run(actor=dana, plan=plan_file(data=data, kind="patients"), commit=True)
    assert AuditEvent.objects.get(action="csv_import.import").detail["sha256"] == digest


# --- the uploaded file is patient data: it must not outlive its 24 hours ------------------------
@pytest.mark.django_db
def test_send_due_removes_expired_uploads_of_every_clinic(dana, clinic_a, capsys) -> None:  # type: ignore[no-untyped-def]
    """Expired uploads were deleted only when the same clinic uploaded again: a clinic that moved
    over once kept each refused or abandoned file (its whole patient list) for good."""
    import json
    from datetime import timedelta

    from django.utils import timezone

    from dryneedling.cli import main
    from dryneedling.interop.csv_import import csv_upload_store
    from dryneedling.interop.models import CsvUpload

    data = b"ID,First Name,Last Name,Date of Birth,First Visit\n1,Al,Ng,1970-07-08,\n"
    old = csv_upload_store(actor=dana, data=data, filename="old.csv", kind="patients")
    fresh = csv_upload_store(actor=dana, data=data, filename="new.csv", kind="patients")
    CsvUpload.objects.for_record(old).filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert main(["send-due"]) == 0
    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert counts["csv_uploads_expired"] == 1 and list(counts)[-1] == "sent"
    assert list(CsvUpload.objects.for_clinic(clinic_a).values_list("pk", flat=True)) == [fresh.pk]


@pytest.mark.django_db
def test_a_clinic_without_an_active_appointment_type_gets_a_row_error(dana, alice, clinic_a) -> None:  # type: ignore[no-untyped-def]
    """With every type inactive, picking the default type read `types[0]` of an empty list: a 500."""
    from dryneedling.scheduling.models import AppointmentType
    from dryneedling.scheduling.services import appointment_types_seed

    patients = b"ID,First Name,Last Name,Date of Birth,Medicare\n90001,Al,Ng,1970-07-08,\n"
    assert run(actor=dana, plan=plan_file(data=patients, kind="patients"), commit=True).committed
    appointment_types_seed(clinic=clinic_a)
    AppointmentType.objects.filter(clinic=clinic_a).update(active=False)
    data = APPOINTMENT_HEADER + b"1,90001,Alice Adams,2025-02-03T23:00:00Z,2025-02-04T00:00:00Z\n"
    report = run(actor=dana, plan=plan_file(data=data, kind="appointments", source="cliniko"), commit=True)
    assert not report.committed and "no active appointment type" in report.rows[0].errors[0][1]


def test_a_time_that_happens_twice_in_the_clinics_zone_is_a_row_error() -> None:
    """02:30 on the night the clocks go back was taken silently as its first occurrence (an hour
    off half the time); the gap in spring was already an error. Now both ask for the offset."""
    data = APPOINTMENT_HEADER + b"1,90001,Alice Adams,2025-04-06 02:30,2025-04-06 03:30\n"
    plan = plan_file(data=data, kind="appointments", source="cliniko")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(RowError, match="happens twice"):
        appointment_values(plan, plan.table.rows[0][1], zone="Australia/Sydney", now=now)
    with_offset = APPOINTMENT_HEADER + b"1,90001,Alice Adams,2025-04-06 02:30 +10:00,2025-04-06 03:30\n"
    plan = plan_file(data=with_offset, kind="appointments", source="cliniko")
    values = appointment_values(plan, plan.table.rows[0][1], zone="Australia/Sydney", now=now)
    assert values.starts_at == datetime(2025, 4, 5, 16, 30, tzinfo=UTC)


def test_a_skipped_time_still_says_it_does_not_exist() -> None:
    data = APPOINTMENT_HEADER + b"1,90001,Alice Adams,2025-10-05 02:30,2025-10-05 03:30\n"
    plan = plan_file(data=data, kind="appointments", source="cliniko")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(RowError, match="does not exist"):
        appointment_values(plan, plan.table.rows[0][1], zone="Australia/Sydney", now=now)
