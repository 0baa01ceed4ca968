"""The research export (issue 12): de-identified, complete, streaming, audited."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dryneedling.cli import main
from dryneedling.reports.research.deidentify import Pseudonyms, age_years, zip3
from dryneedling.reports.research.export import ExportError, export_research
from dryneedling.reports.research.tables import TABLES


def _seed(clinic, patients: int = 30, seed: int = 41) -> None:  # type: ignore[no-untyped-def]
    from dryneedling.synthetic.loader import seed_clinic

    seed_clinic(clinic=clinic, patients=patients, seed=seed)


def _texts(out: Path) -> str:
    """Everything in the export as text: CSV, the Parquet files' values, the dictionary, the manifest."""
    parts = []
    for path in sorted(out.iterdir()):
        if path.suffix == ".parquet":
            parts.append(json.dumps(pq.read_table(path).to_pylist(), default=str))
        else:
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


@pytest.mark.django_db
def test_no_direct_identifier_survives(tmp_path, clinic_a, alice):  # type: ignore[no-untyped-def]
    from dryneedling.patients.models import Patient

    _seed(clinic_a)
    result = export_research(clinic=clinic_a, out=tmp_path / "x", actor=alice)
    assert result.rows["episodes"] > 0 and result.rows["sessions"] > 0 and result.rows["insertions"] > 0
    text = _texts(result.out)
    patients = list(Patient.objects.for_clinic(clinic_a))
    assert len(patients) == 30
    found = []
    for p in patients:
        for value in (p.mrn, p.email, p.phone, p.address, p.insurance_member_id):
            if value and value.lower() in text.lower():
                found.append(value)
        for name in (p.given_name, p.family_name):
            if re.search(rf"\b{re.escape(name)}\b", text, flags=re.IGNORECASE):
                found.append(name)
        if p.date_of_birth.isoformat() in text:
            found.append(str(p.date_of_birth))
    assert found == []
    assert alice.full_name not in text and alice.email not in text


@pytest.mark.django_db
def test_every_table_is_written_in_both_formats_with_the_same_rows(tmp_path, clinic_a):  # type: ignore[no-untyped-def]
    from dryneedling.treatment.models import Insertion

    _seed(clinic_a, patients=12)
    result = export_research(clinic=clinic_a, out=tmp_path / "x")
    assert result.rows["insertions"] == Insertion.objects.for_clinic(clinic_a).count()
    for table in TABLES:
        parquet = pq.read_table(result.out / f"{table.name}.parquet")
        with (result.out / f"{table.name}.csv").open(encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == [c.name for c in table.columns] == parquet.column_names
        assert len(rows) - 1 == parquet.num_rows == result.rows[table.name]
    dictionary = json.loads((result.out / "data_dictionary.json").read_text())
    assert [t["name"] for t in dictionary["tables"]] == [t.name for t in TABLES]
    markdown = (result.out / "data_dictionary.md").read_text()
    assert "| severity | string | AdverseEvent.severity |" in markdown
    assert "mild" in markdown  # allowed values come from the model's choices


@pytest.mark.django_db
def test_keys_join_inside_an_export_and_never_across_two(tmp_path, clinic_a):  # type: ignore[no-untyped-def]
    _seed(clinic_a, patients=8)
    first = export_research(clinic=clinic_a, out=tmp_path / "a")
    second = export_research(clinic=clinic_a, out=tmp_path / "b")
    episodes = pq.read_table(first.out / "episodes.parquet").to_pylist()
    sessions = pq.read_table(first.out / "sessions.parquet").to_pylist()
    assert {s["episode_key"] for s in sessions} <= {e["episode_key"] for e in episodes}
    again = pq.read_table(second.out / "episodes.parquet").to_pylist()
    assert not {e["episode_key"] for e in episodes} & {e["episode_key"] for e in again}


@pytest.mark.django_db
def test_dates_shift_together_per_patient_and_old_ages_are_grouped(tmp_path, clinic_a):  # type: ignore[no-untyped-def]
    from dryneedling.patients.models import Episode, Patient

    _seed(clinic_a, patients=6)
    start = dt.date(2026, 3, 2)

    old = Patient.objects.create(
        clinic=clinic_a, mrn="OLD-1", given_name="Edith", family_name="Oldham", date_of_birth=dt.date(1930, 5, 1),
        sex="female", address="12 Elm St, Cheyenne, WY 82001",
    )  # fmt: skip
    Episode.objects.create(clinic=clinic_a, patient=old, reason="Neck pain", start_date=start)
    result = export_research(clinic=clinic_a, out=tmp_path / "x")
    rows = pq.read_table(result.out / "episodes.parquet").to_pylist()
    ages = sorted(r["age_years"] for r in rows)
    assert ages[-1] == 90  # 95 years old: reported as 90 (90 or older)
    mine = [r for r in rows if r["age_years"] == 90 and r["zip3"] == "820"]
    assert len(mine) == 1
    shift = mine[0]["start_date"] - start
    assert dt.timedelta(days=-182) <= shift <= dt.timedelta(days=182) and shift != dt.timedelta(0)
    sessions = pq.read_table(result.out / "sessions.parquet").to_pylist()
    # Within one patient, intervals survive: every session falls on or after its episode's shifted start.
    starts = {r["episode_key"]: r["start_date"] for r in rows}
    assert all(s["date"] >= starts[s["episode_key"]] for s in sessions)


def test_pseudonyms_shift_and_cap() -> None:
    p = Pseudonyms(key=b"k" * 32)
    assert p.key("patient", 1) == p.key("patient", 1) != p.key("patient", 2)
    assert p.key("patient", 1) != p.key("episode", 1)
    assert p.key("patient", None) is None
    day = dt.date(2026, 1, 1)
    assert p.date(7, day) - day == p.shift(7) and p.shift(7) != dt.timedelta(0)
    assert p.date(7, None) is None
    assert age_years(dt.date(1936, 6, 1), dt.date(2026, 5, 31)) == 89
    assert age_years(dt.date(1936, 6, 1), dt.date(2026, 6, 1)) == 90
    assert age_years(dt.date(1900, 1, 1), dt.date(2026, 1, 1)) == 90


@pytest.mark.django_db
def test_sql_expressions_read_the_same_on_both_databases(clinic_a, alice) -> None:  # type: ignore[no-untyped-def]
    """Days, durations and JSON are read by SQL (sql.py), as plain values on SQLite and PostgreSQL."""
    from django.db.models.fields.json import KeyTextTransform

    from dryneedling.followup.models import CheckIn, OutcomeRecord
    from dryneedling.reports.research.sql import EpochDay, JsonArrayLength, Seconds
    from dryneedling.reports.research.tables import _json_bool, _json_float, _json_text, stream_batches
    from dryneedling.treatment.models import Session
    from tests.reports import factory as f

    late = dt.datetime(2026, 1, 1, 23, 30, tzinfo=dt.UTC)  # already 2 January east of UTC: the UTC day counts
    ep = f.episode(clinic_a)
    session = f.session(ep, alice, at=late)
    session.ended_at = late + dt.timedelta(minutes=30, seconds=0.5)
    session.save(update_fields=["ended_at"])
    f.check_in(session, kind="week_1", due_at=late, answered=False)
    CheckIn.objects.for_clinic(clinic_a).update(red_flags=["numbness", "fever"])
    verdict = {"rule": "points", "mcid": 2, "responder": True}
    OutcomeRecord.objects.create(
        clinic=clinic_a,
        patient=ep.patient,
        episode=ep,
        instrument_id="nprs",
        value=2,
        recorded_at=late,
        verdict=verdict,
    )
    OutcomeRecord.objects.create(
        clinic=clinic_a, patient=ep.patient, episode=ep, instrument_id="nprs", value=7, recorded_at=late,
        verdict={"responder": None},
    )  # fmt: skip
    days = (dt.date(2026, 1, 1) - dt.date(1970, 1, 1)).days
    rows = Session.objects.for_clinic(clinic_a).values_list(
        EpochDay("started_at"), EpochDay("episode__start_date"), Seconds("ended_at", "started_at"),
        Seconds("started_at", "ended_at"),
    )  # fmt: skip
    ((started, start_date, seconds, backwards),) = next(stream_batches(rows.order_by()))
    assert (started, start_date) == (days, (ep.start_date - dt.date(1970, 1, 1)).days)
    assert (seconds, backwards) == (1800.5, -1800.5)
    flags = CheckIn.objects.for_clinic(clinic_a).values_list(
        JsonArrayLength("red_flags"), Seconds("answered_at", "due_at")
    )
    assert next(stream_batches(flags.order_by())) == [(2, None)]
    keys = [KeyTextTransform(key, "verdict") for key in ("rule", "mcid", "responder")]
    verdicts = OutcomeRecord.objects.for_clinic(clinic_a).order_by("id").values_list(*keys)
    rule, mcid, responder = zip(*next(stream_batches(verdicts)), strict=True)
    assert (_json_text(rule), _json_float(mcid), _json_bool(responder)) == (["points", None], [2.0, None], [True, None])


@pytest.mark.parametrize(
    "address, expected",
    [
        ("1 Main St, Springfield, IL 62704", "627"),
        ("1 Main St, Springfield, IL 62704-1234", "627"),
        ("Suite 9, 10001 Broad Rd, Austin, TX 78701", "787"),  # the last ZIP-like number is the ZIP
        ("PO Box 5, Tiny, WY 82190", "000"),  # 821: an HHS-restricted area of 20,000 people or fewer
        ("No zip here", None),
        ("", None),
    ],
)
def test_zip3(address: str, expected: str | None) -> None:
    assert zip3(address) == expected


@pytest.mark.django_db
def test_the_export_is_audited_and_refuses_to_overwrite(tmp_path, clinic_a, alice):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import AuditEvent

    _seed(clinic_a, patients=3)
    result = export_research(clinic=clinic_a, out=tmp_path / "x", actor=alice)
    event = AuditEvent.objects.get(action="research.export")
    assert event.actor == alice and event.detail["rows"] == result.rows
    with pytest.raises(ExportError, match="not an empty directory"):
        export_research(clinic=clinic_a, out=tmp_path / "x")


@pytest.mark.django_db(transaction=True)
def test_cli(tmp_path, capsys, clinic_a, clinic_b):  # type: ignore[no-untyped-def]
    _seed(clinic_a, patients=3)
    assert main(["export", "research", "--out", str(tmp_path / "x")]) == 2
    assert "--clinic" in capsys.readouterr().err
    assert main(["export", "research", "--out", str(tmp_path / "x"), "--clinic", clinic_a.slug]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["rows"]["episodes"] == 3
    assert main(["export", "research", "--out", str(tmp_path / "x"), "--clinic", clinic_a.slug]) == 2
    assert "not an empty directory" in capsys.readouterr().err
