"""`dryneedling fhir import FILE|DIR --user EMAIL [--clinic SLUG] [--clinician EMAIL] [--dry-run]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dryneedling.accounts.models import AuditEvent
from dryneedling.cli import main
from dryneedling.patients.models import Patient

FIXTURES = Path(__file__).parent / "fixtures" / "fhir"
BUNDLE = FIXTURES / "bundle_transaction.json"


def _run(capsys, *argv: str) -> tuple[int, list[dict], list[str]]:  # type: ignore[no-untyped-def]
    code = main(["fhir", "import", *argv])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err.splitlines()


@pytest.mark.django_db
def test_a_successful_import_prints_a_json_summary_per_file_and_exits_0(alice, capsys):
    code, summaries, err = _run(capsys, str(BUNDLE), "--user", "alice@a.test")
    assert code == 0, err
    (summary,) = summaries
    assert summary["file"] == str(BUNDLE) and summary["ok"] is True and summary["dry_run"] is False
    assert summary["counts"]["Patient"] == {"created": 1, "updated": 0, "unchanged": 0}
    code, summaries, _ = _run(capsys, str(BUNDLE), "--user", "alice@a.test", "--clinic", "clinic-a")
    assert code == 0 and summaries[0]["counts"]["Patient"] == {"created": 0, "updated": 0, "unchanged": 1}


@pytest.mark.django_db
def test_a_failed_file_is_one_line_with_file_and_line_and_exit_2(alice, capsys):
    code, summaries, err = _run(capsys, str(FIXTURES), "--user", "alice@a.test")
    assert code == 2
    failed = {line.split(":", 1)[0] for line in err}
    assert failed == {
        str(FIXTURES / "bad_birthdate.ndjson"),
        str(FIXTURES / "unknown_patient.ndjson"),
        str(FIXTURES / "unknown_instrument.ndjson"),
    }
    assert f"{FIXTURES / 'bad_birthdate.ndjson'}:3: " in "\n".join(err)
    assert len(err) == 3
    ok = [s for s in summaries if s["ok"]]
    assert [Path(s["file"]).name for s in ok] == ["bundle_transaction.json"]
    assert Patient.objects.for_actor(alice).count() == 1


@pytest.mark.django_db
def test_a_clinic_admin_may_import(dana, alice, capsys):
    code, _, err = _run(capsys, str(BUNDLE), "--user", "dana@a.test")
    assert code == 0, err
    assert Patient.objects.for_actor(dana).count() == 1


@pytest.mark.django_db
def test_front_desk_is_refused_in_words_and_nothing_is_written(bob, alice, capsys):
    code, summaries, err = _run(capsys, str(BUNDLE), "--user", "bob@a.test")
    assert code == 2 and summaries == []
    assert err == ["dryneedling: Only a clinic admin or a clinician of the clinic imports records from other systems."]
    assert not Patient.objects.for_actor(alice).exists()
    assert AuditEvent.objects.filter(actor=bob, action="fhir.import", outcome="denied").exists()


@pytest.mark.django_db
def test_another_clinic_or_an_unknown_user_is_refused(alice, clinic_b, capsys):
    code, _, err = _run(capsys, str(BUNDLE), "--user", "alice@a.test", "--clinic", "clinic-b")
    assert code == 2 and err == ["dryneedling: alice@a.test is not a member of the clinic clinic-b."]
    code, _, err = _run(capsys, str(BUNDLE), "--user", "nobody@a.test")
    assert code == 2 and err == ["dryneedling: No active user with the email nobody@a.test."]
    code, _, err = _run(capsys, str(BUNDLE), "--user", "alice@a.test", "--clinician", "nobody@a.test")
    assert code == 2 and err == ["dryneedling: nobody@a.test is not a clinician of this clinic."]
    code, _, err = _run(capsys, str(FIXTURES / "nothing-here.json"), "--user", "alice@a.test")
    assert code == 2 and err[0].startswith("dryneedling: No such file or directory:")
    assert not Patient.objects.for_actor(alice).exists()


@pytest.mark.django_db
def test_dry_run_on_the_command_line_writes_nothing(alice, capsys):
    code, summaries, _ = _run(capsys, str(BUNDLE), "--user", "alice@a.test", "--dry-run")
    assert code == 0 and summaries[0]["dry_run"] is True
    assert summaries[0]["counts"]["Appointment"]["created"] == 1
    assert not Patient.objects.for_actor(alice).exists()
