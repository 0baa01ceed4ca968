"""`dryneedling backup` / `restore` (issue 14): a backup taken while writes are running restores
every write acknowledged before it began, into an empty database only; bad input is one line and
exit code 2. Runs on the engine under test (CI runs the suite on SQLite and on PostgreSQL)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from dryneedling.accounts.models import AuditEvent, Outcome
from dryneedling.cli import main
from dryneedling.ops.backup import NotEmpty, backup, database_is_empty, restore, sqlite_integrity
from tests.ops.conftest import OpsDatabases


class Writer(threading.Thread):
    """Commits one row at a time until stopped; records (id, when the commit was acknowledged)."""

    def __init__(self, ops_db: OpsDatabases) -> None:
        super().__init__(daemon=True)
        self.ops_db = ops_db
        self.acknowledged: list[tuple[int, float]] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        conn = self.ops_db.connect(self.ops_db.source)  # its own connection, made in its own thread
        try:
            while not self.stop.is_set():
                row = conn.execute("INSERT INTO ops_probe (filler) VALUES ('x') RETURNING id").fetchone()
                self.acknowledged.append((int(row[0]), time.monotonic()))  # after the commit returned
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error
        finally:
            conn.close()


def _probe_table(ops_db: OpsDatabases) -> None:
    key = "INTEGER PRIMARY KEY AUTOINCREMENT" if ops_db.engine == "sqlite" else "BIGSERIAL PRIMARY KEY"
    with ops_db.connect(ops_db.source) as conn:
        conn.execute(f"CREATE TABLE ops_probe (id {key}, filler TEXT NOT NULL)")
        # Some bulk, so the copy takes long enough for writes to land while it runs.
        conn.execute("CREATE TABLE ops_bulk (blob TEXT NOT NULL)")
        blob = "hex(randomblob(2000))" if ops_db.engine == "sqlite" else "repeat('7', 4000)"
        rows = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
        conn.execute(f"INSERT INTO ops_bulk (blob) {rows} SELECT {blob} FROM n")  # noqa: S608 - constants


@pytest.fixture
def probe(ops_db: OpsDatabases):  # type: ignore[no-untyped-def]
    _probe_table(ops_db)
    yield ops_db
    if ops_db.engine == "postgresql":  # the test database itself: leave it as pytest-django made it
        with ops_db.connect(ops_db.source) as conn:
            conn.execute("DROP TABLE IF EXISTS ops_probe, ops_bulk")


def _ids(ops_db: OpsDatabases, database: dict[str, Any]) -> set[int]:
    with ops_db.connect(database) as conn:
        return {int(row[0]) for row in conn.execute("SELECT id FROM ops_probe").fetchall()}


def test_a_backup_taken_during_writes_restores_every_acknowledged_write(probe: OpsDatabases, tmp_path: Path) -> None:
    writer = Writer(probe)
    writer.start()
    while len(writer.acknowledged) < 20 and writer.is_alive():
        time.sleep(0.005)
    began = time.monotonic()
    done = backup(probe.source, tmp_path / "clinic.backup")
    ended = time.monotonic()
    time.sleep(0.05)
    writer.stop.set()
    writer.join(10)
    assert writer.error is None, writer.error
    before = {pk for pk, at in writer.acknowledged if at < began}
    during = [pk for pk, at in writer.acknowledged if began <= at <= ended]
    assert len(before) >= 20
    assert not list(tmp_path.glob(".*partial")), "the temporary file is renamed, never left behind"
    if probe.engine == "sqlite":
        assert sqlite_integrity(done.path) == "ok"

    target = probe.fresh()
    assert database_is_empty(target)
    restore(target, done.path)
    restored = _ids(probe, target)
    assert before <= restored, f"lost acknowledged writes: {sorted(before - restored)[:10]}"
    assert restored <= {pk for pk, _ in writer.acknowledged}  # nothing invented
    if probe.engine == "sqlite":
        assert sqlite_integrity(Path(target["NAME"])) == "ok"
    # Writers were never blocked by the backup (WAL on SQLite; one MVCC snapshot on PostgreSQL).
    assert during, "no write committed while the backup ran: it blocked the writers"
    print(f"{probe.engine}: backup {done.seconds:.3f} s, {len(during)} writes committed while it ran")

    with pytest.raises(NotEmpty):
        restore(target, done.path)  # a second restore over the first
    with pytest.raises(NotEmpty):
        restore(probe.source, done.path)  # over the live database


def _one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("dryneedling: "), err
    return err


def test_bad_restore_input_is_one_line_and_exit_code_2(
    ops_db: OpsDatabases, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "no backup file" in _one_line_exit_2(capsys, ["restore", str(tmp_path / "missing.backup")])
    (tmp_path / "notes.txt").write_text("not a backup\n")
    assert "not a dryneedling backup" in _one_line_exit_2(capsys, ["restore", str(tmp_path / "notes.txt")])
    (tmp_path / "empty.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)
    if ops_db.engine == "postgresql":
        assert "is a sqlite backup" in _one_line_exit_2(capsys, ["restore", str(tmp_path / "empty.sqlite3")])
    assert "no directory" in _one_line_exit_2(capsys, ["backup", "--out", str(tmp_path / "nowhere" / "x.backup")])


def test_an_unreadable_target_or_source_database_is_one_line_and_exit_code_2(
    ops_db: OpsDatabases, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = backup(ops_db.source, tmp_path / "good.backup").path
    if ops_db.engine == "sqlite":
        broken = tmp_path / "broken.sqlite3"
        broken.write_bytes(b"this is no database" * 100)
        target = {**ops_db.source, "NAME": str(broken)}
    else:
        target = {**ops_db.source, "NAME": "no_such_database_ops"}
    monkeypatch.setitem(settings.DATABASES, "default", target)
    assert "cannot read the database" in _one_line_exit_2(capsys, ["restore", str(good)])
    if ops_db.engine == "sqlite":
        assert "cannot back up" in _one_line_exit_2(capsys, ["backup", "--out", str(tmp_path / "x.backup")])
    else:
        assert "pg_dump failed" in _one_line_exit_2(capsys, ["backup", "--out", str(tmp_path / "x.backup")])


def test_the_commands_are_audited_and_restore_over_a_live_database_is_refused(
    ops_db: OpsDatabases, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The commands read settings.DATABASES; Django's own connection (the audit trail) stays the test database.
    monkeypatch.setitem(settings.DATABASES, "default", ops_db.source)
    out = tmp_path / "nightly.backup"
    assert main(["backup", "--out", str(out)]) == 0
    assert '"engine"' in capsys.readouterr().out and out.stat().st_size > 0
    made = AuditEvent.objects.get(action="database.backup")
    assert made.detail["via"] == "cli" and made.outcome == Outcome.SUCCESS

    err = _one_line_exit_2(capsys, ["restore", str(out)])
    assert "refusing to restore" in err and "empty" in err
    refused = AuditEvent.objects.get(action="database.restore")
    assert refused.outcome == Outcome.DENIED

    target = ops_db.fresh()
    monkeypatch.setitem(settings.DATABASES, "default", target)
    assert main(["restore", str(out)]) == 0
    assert not database_is_empty(target)
    assert AuditEvent.objects.filter(action="database.restore", outcome=Outcome.SUCCESS).count() == 1
