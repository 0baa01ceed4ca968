"""`dryneedling import-csv`: preview (--dry-run) or import as JSON; problems are one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dryneedling.cli import main
from dryneedling.patients.models import Patient

FIXTURES = Path(__file__).parent / "fixtures" / "csv"
pytestmark = pytest.mark.django_db


def _cli(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(["import-csv", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_then_import_then_again(capsys, dana, clinic_a):  # type: ignore[no-untyped-def]
    file = str(FIXTURES / "jane_patients.csv")
    code, out, _ = _cli(capsys, file, "--kind", "patients", "--user", "dana@a.test", "--dry-run")
    assert code == 0 and json.loads(out)["counts"]["new"] == 3 and not json.loads(out)["imported"]
    assert not Patient.objects.for_clinic(clinic_a).exists()
    code, out, _ = _cli(capsys, file, "--kind", "patients", "--user", "dana@a.test")
    assert code == 0 and json.loads(out)["imported"] and Patient.objects.for_clinic(clinic_a).count() == 3
    code, out, _ = _cli(capsys, file, "--kind", "patients", "--user", "dana@a.test")
    assert code == 0 and json.loads(out)["counts"]["imported"] == 3


def test_ambiguous_dates_need_date_order(capsys, dana, clinic_a):  # type: ignore[no-untyped-def]
    file = str(FIXTURES / "jane_patients_ambiguous.csv")
    code, out, err = _cli(capsys, file, "--kind", "patients", "--user", "dana@a.test")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "'Birth Date'" in err
    code, out, _ = _cli(capsys, file, "--kind", "patients", "--user", "dana@a.test", "--date-order", "dmy")
    assert code == 0 and Patient.objects.for_clinic(clinic_a).get(family_name="Silva").date_of_birth.month == 4


def test_row_errors_exit_2_and_import_nothing(capsys, dana, clinic_a, tmp_path):  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Patient Number,First Name,Last Name,Birth Date,First Visit\n1,Ann,Lee,1990-01-01,\n2,,Ng,1990-01-01,\n"
    )
    code, _, err = _cli(capsys, str(bad), "--kind", "patients", "--user", "dana@a.test")
    assert code == 2 and "row 3 (First Name)" in err and len(err.strip().splitlines()) == 1
    assert not Patient.objects.for_clinic(clinic_a).exists()


@pytest.mark.parametrize(
    ("user", "message"),
    [("alice@a.test", "Only a clinic admin imports patients"), ("nobody@a.test", "no active user")],
)
def test_a_non_admin_is_refused(capsys, dana, alice, clinic_a, user, message):  # type: ignore[no-untyped-def]
    code, _, err = _cli(capsys, str(FIXTURES / "jane_patients.csv"), "--kind", "patients", "--user", user)
    assert code == 2 and message in err and not Patient.objects.for_clinic(clinic_a).exists()
