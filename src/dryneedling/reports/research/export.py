"""Write the research export: one CSV and one Parquet file per table, a data dictionary (markdown
and JSON) and a manifest, streaming (rows go out in batches; memory does not grow with the clinic)."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.reports.research.deidentify import Pseudonyms
from dryneedling.reports.research.dictionary import write_dictionary
from dryneedling.reports.research.tables import TABLES, Table

ARROW_TYPES = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(), "bool": pa.bool_()}


class ExportError(ValueError):
    """A refusal in words (the CLI exits 2 with it; the page shows it)."""


@dataclass(frozen=True)
class ExportResult:
    out: Path
    rows: dict[str, int]
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.kind]) for c in table.columns])


def _write_table(table: Table, clinic: Clinic, pseudonyms: Pseudonyms, out: Path) -> int:
    """Each batch of columns is converted once to an Arrow table and written by Arrow's own CSV and
    Parquet writers (quoting only where needed; booleans as true/false). An empty table still gets
    its header and schema."""
    schema = _schema(table)
    count = 0
    options = pa_csv.WriteOptions(quoting_style="needed")
    with (
        pa_csv.CSVWriter(str(out / f"{table.name}.csv"), schema, write_options=options) as csv_out,
        pq.ParquetWriter(out / f"{table.name}.parquet", schema) as parquet,
    ):

        def write(columns: Sequence[Sequence[Any]]) -> int:
            arrays = [_array(col, f.type) for col, f in zip(columns, schema, strict=True)]
            arrow = pa.Table.from_arrays(arrays, schema=schema)
            csv_out.write_table(arrow)
            parquet.write_table(arrow)
            return int(arrow.num_rows)

        for columns in table.batches(clinic, pseudonyms):
            count += write(columns)
        if not count:
            write([[] for _ in schema])
    return count


def _array(values: Sequence[Any], kind: pa.DataType) -> pa.Array:
    if kind == pa.date32():  # days since 1970-01-01
        return pa.array(values, type=pa.int32()).cast(kind)
    return pa.array(values, type=kind)


def export_research(*, clinic: Clinic, out: Path, actor: User | None = None) -> ExportResult:
    """De-identified tables of ``clinic`` into the empty (or new) directory ``out``. Audited."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} is not an empty directory: choose a new one, nothing is overwritten")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    pseudonyms = Pseudonyms()
    rows = {table.name: _write_table(table, clinic, pseudonyms, out) for table in TABLES}
    seconds = time.perf_counter() - started
    write_dictionary(out)
    manifest = {
        "clinic": clinic.slug,
        "created": dt.datetime.now(dt.UTC).date().isoformat(),
        "method": "HIPAA Safe Harbor (45 CFR 164.514(b)(2)) with per-patient date shifting; see data_dictionary.md",
        "rows": rows,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    audit_record(
        actor=actor, action="research.export", clinic=clinic, object_type="clinic", object_id=clinic.pk,
        detail={"rows": rows, "seconds": round(seconds, 2)},
    )  # fmt: skip
    return ExportResult(out=out, rows=rows, seconds=seconds)


def export_research_zip(*, actor: User) -> tuple[IO[bytes], str]:
    """The clinic admin's download: the export of their clinic as a ZIP in an anonymous temporary
    file (gone when closed), and its file name."""
    clinic = require(actor=actor, capability=CLINIC_ADMINISTRATION).clinic
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it after streaming
    with tempfile.TemporaryDirectory() as work:
        result = export_research(clinic=clinic, out=Path(work) / "export", actor=actor)
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(result.out.iterdir()):
                bundle.write(path, arcname=path.name)
    archive.seek(0)
    return archive, f"research-export-{clinic.slug}-{dt.datetime.now(dt.UTC):%Y%m%d}.zip"
