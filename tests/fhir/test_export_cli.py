"""`dryneedling fhir export`: NDJSON files per type, a JSON summary, audited; bad input is one
line and exit 2, nothing written."""

from __future__ import annotations

import json

import orjson
import pytest

from dryneedling.accounts.models import AuditEvent
from dryneedling.cli import main

pytestmark = pytest.mark.django_db


def _run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_writes_one_file_per_type_and_a_summary_and_is_audited(demo_clinics, capsys, tmp_path):
    from dryneedling.fhir import stream

    riverside, _ = demo_clinics
    out = tmp_path / "fhir"
    code, printed, _ = _run(capsys, "fhir", "export", "--out", str(out), "--clinic", "riverside")
    assert code == 0
    summary = json.loads(printed)
    assert set(summary) == {"out", "counts", "total", "seconds", "resources_per_s"}
    assert list(summary["counts"]) == [t for t in stream.TYPES if t in summary["counts"]]
    files = {p.name for p in out.iterdir()}
    assert files == {f"{t}.ndjson" for t in summary["counts"]}
    for resource_type, count in summary["counts"].items():
        lines = (out / f"{resource_type}.ndjson").read_bytes().splitlines()
        assert len(lines) == count > 0
        assert {orjson.loads(line)["resourceType"] for line in lines} == {resource_type}
    assert summary["total"] == sum(summary["counts"].values())
    event = AuditEvent.objects.filter(action="fhir.export").get()
    assert event.clinic == riverside and event.detail["counts"] == summary["counts"]


def test_export_of_some_types_since_a_moment(demo_clinics, capsys, tmp_path):
    out = tmp_path / "some"
    code, printed, _ = _run(
        capsys, "fhir", "export", "--out", str(out), "--clinic", "hilltop", "--type", "Appointment,Patient"
    )
    assert code == 0
    assert list(json.loads(printed)["counts"]) == ["Patient", "Appointment"]
    code, printed, _ = _run(
        capsys, "fhir", "export", "--out", str(tmp_path / "later"), "--clinic", "hilltop", "--since", "2999-01-01"
    )
    assert code == 0
    assert set(json.loads(printed)["counts"]) == {"Organization", "Practitioner"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clinic", "riverside", "--type", "Patient,Nope"], "Unknown FHIR resource type(s): Nope"),
        (["--clinic", "riverside", "--since", "yesterday"], "is not an ISO 8601 date"),
        (["--clinic", "nowhere"], "no clinic with slug 'nowhere'"),
        ([], "name the clinic with --clinic SLUG (this database has several)"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(demo_clinics, capsys, tmp_path, args, message):
    out = tmp_path / "x"
    code, printed, err = _run(capsys, "fhir", "export", "--out", str(out), *args)
    assert code == 2 and not printed
    assert message in err and err.count("\n") == 1
    assert not out.exists()
    assert not AuditEvent.objects.filter(action="fhir.export").exists()


def test_a_directory_with_files_is_refused(demo_clinics, capsys, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    code, _, err = _run(capsys, "fhir", "export", "--out", str(tmp_path), "--clinic", "riverside")
    assert code == 2 and "is not an empty directory" in err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
