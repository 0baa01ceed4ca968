"""Reading Jane and Cliniko CSV exports without the database: headers by name, the source, dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dryneedling.interop.csv_import import columns, dates
from dryneedling.interop.csv_import.parse import MAX_BYTES, CsvRefused, read_table
from dryneedling.interop.csv_import.rows import patient_values, plan_file

FIXTURES = Path(__file__).parent / "fixtures" / "csv"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_headers_map_by_name_whatever_their_case_spacing_punctuation_or_order() -> None:
    a = plan_file(
        data=b"Last Name,first_name,DATE-OF-BIRTH,Patient ID\nLi,Wei,1990-01-02,7\n", kind="patients", source="jane"
    )
    b = plan_file(
        data=b"patient id;Date of Birth;FIRST NAME;last name\n7;1990-01-02;Wei;Li\n", kind="patients", source="jane"
    )
    for plan in (a, b):
        values = patient_values(plan, plan.table.rows[0][1])
        assert (values["given_name"], values["family_name"], values["date_of_birth"]) == ("Wei", "Li", date(1990, 1, 2))


def test_aliases_of_each_source_map_to_the_same_fields() -> None:
    jane = plan_file(data=fixture("jane_patients.csv"), kind="patients", source="auto")
    cliniko = plan_file(data=fixture("cliniko_patients.csv"), kind="patients", source="auto")
    assert (jane.source, cliniko.source) == ("jane", "cliniko")
    maya = patient_values(jane, jane.table.rows[0][1])
    assert maya["date_of_birth"] == date(1980, 5, 17) and maya["phone"] == "604-555-0101"
    assert maya["address"] == "12 Cedar St, Vancouver, BC, V5K 0A1" and maya["sex"] == "female"
    omar = patient_values(jane, jane.table.rows[1][1])
    assert omar["phone"] == "604-555-0102"  # the home phone when there is no mobile
    chloe = patient_values(cliniko, cliniko.table.rows[0][1])
    assert chloe["phone"] == "0412 345 678" and chloe["address"].startswith("4 Wattle Rd, Fitzroy, VIC, 3065")


def test_the_source_is_detected_from_the_headers_or_must_be_chosen() -> None:
    assert columns.detect_source("appointments", read_table(fixture("jane_appointments.csv")).headers) == "jane"
    assert columns.detect_source("appointments", read_table(fixture("cliniko_appointments.csv")).headers) == "cliniko"
    neutral = b"ID,First Name,Last Name,Date of Birth\n1,A,B,1990-01-01\n"
    with pytest.raises(CsvRefused, match="choose the source"):
        plan_file(data=neutral, kind="patients")
    assert plan_file(data=neutral, kind="patients", source="cliniko").source == "cliniko"


def test_a_missing_required_column_is_named() -> None:
    with pytest.raises(CsvRefused, match="no column for date of birth"):
        plan_file(data=b"ID,First Name,Last Name\n1,A,B\n", kind="patients", source="jane")


def test_delimiter_is_sniffed_and_the_bom_ignored() -> None:
    table = read_table("\ufeffID\tFirst Name\tLast Name\n1\tA\tB\n".encode())
    assert table.headers == ["ID", "First Name", "Last Name"] and table.rows == [(2, ["1", "A", "B"])]


def test_a_file_that_is_not_utf8_or_too_big_is_refused_in_words() -> None:
    with pytest.raises(CsvRefused, match="not UTF-8"):
        read_table("ID,Name\n1,Zoë\n".encode("latin-1"))
    with pytest.raises(CsvRefused, match="at most 5 MB"):
        read_table(b"x" * (MAX_BYTES + 1))


def test_ambiguous_dates_are_refused_naming_the_column_and_a_row_until_an_order_is_chosen() -> None:
    data = fixture("jane_patients_ambiguous.csv")
    with pytest.raises(CsvRefused) as refused:
        plan_file(data=data, kind="patients")
    assert (
        "'Birth Date'" in str(refused.value) and "row 2" in str(refused.value) and "'03/04/1985'" in str(refused.value)
    )
    dmy = plan_file(data=data, kind="patients", date_order="dmy")
    mdy = plan_file(data=data, kind="patients", date_order="mdy")
    assert patient_values(dmy, dmy.table.rows[0][1])["date_of_birth"] == date(1985, 4, 3)
    assert patient_values(mdy, mdy.table.rows[0][1])["date_of_birth"] == date(1985, 3, 4)


def test_conflicting_date_orders_are_refused_whatever_the_choice() -> None:
    for chosen in (None, "dmy", "mdy"):
        with pytest.raises(CsvRefused, match="mixes date orders"):
            plan_file(data=fixture("jane_patients_conflict.csv"), kind="patients", date_order=chosen)


def test_a_choice_contradicting_the_values_is_refused() -> None:
    with pytest.raises(CsvRefused, match="day first.*but you chose month first"):
        plan_file(data=fixture("jane_patients.csv"), kind="patients", date_order="mdy")


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("2025-03-14", None, date(2025, 3, 14)),
        ("14 Mar 2025", None, date(2025, 3, 14)),
        ("Mar 14, 2025", None, date(2025, 3, 14)),
        ("Fri, 14 March 2025", None, date(2025, 3, 14)),
        ("03/03/2025", None, date(2025, 3, 3)),  # the same either way
        ("14.03.2025", "dmy", date(2025, 3, 14)),
    ],
)
def test_dates_as_exports_write_them(value: str, order: str | None, expected: date) -> None:
    assert dates.parse_date(value, order)[0] == expected


def test_two_digit_years_and_impossible_dates_are_row_errors() -> None:
    with pytest.raises(dates.DateProblem, match="four digits"):
        dates.parse_date("03/04/85", "dmy")
    with pytest.raises(dates.DateProblem, match="not a date of the calendar"):
        dates.parse_date("31/02/1980", "dmy")


def test_times_with_am_pm_and_offsets() -> None:
    assert dates.parse_time("2:30 PM")[0].hour == 14
    assert dates.parse_time("12:15 am")[0].hour == 0
    assert dates.parse_time("14:45:00Z")[1] == "Z"


def test_cliniko_api_style_headers_are_cliniko() -> None:
    data = b"patient_phone_numbers,date_of_birth,last_name,first_name,id\nMobile: 0400 000 001,1970-07-08,Ng,Al,5\n"
    plan = plan_file(data=data, kind="patients")
    assert plan.source == "cliniko"
    values = patient_values(plan, plan.table.rows[0][1])
    assert values["phone"] == "0400 000 001" and values["date_of_birth"] == date(1970, 7, 8)


def test_a_date_column_beside_a_time_column_is_judged_on_its_own() -> None:
    data = b"Appointment ID,Patient Number,Staff Member,Treatment,Date,Start Time\n1,1,A,T,03/04/2025,09:00\n"
    with pytest.raises(CsvRefused, match="'Date'"):
        plan_file(data=data, kind="appointments")
    assert plan_file(data=data, kind="appointments", date_order="dmy").orders["date"] == "dmy"
