"""Backup and restore of the whole database, on SQLite and PostgreSQL (issue 14).

SQLite: the online backup API copies a consistent snapshot while the server keeps writing (in WAL
mode a reader never blocks a writer), into a temporary file next to the target that is checked
(`PRAGMA integrity_check`), flushed to disk and renamed into place. PostgreSQL: `pg_dump
--format=custom` and `pg_restore`, the connection given in the environment (PGPASSWORD, never argv).

A restore goes only into an empty database (no `django_migrations` rows): restoring over a live
clinic's records is never silent, and there is no --force (docs/decisions.md, issue 14).

These functions take a Django database settings dict (settings.DATABASES["default"]) and talk to
the database directly, so they work before Django has connected, and on any database the tests
create. The command line (cli.py) audits what they did.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A problem the operator can fix; one line."""


class NotEmpty(BackupError):
    """The restore's target already holds a migrated database."""


@dataclass(frozen=True)
class Done:
    path: Path
    engine: str
    bytes: int
    seconds: float


def engine_of(database: Mapping[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if "sqlite" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"backup supports SQLite and PostgreSQL, not {engine}")


def backup(database: Mapping[str, Any], out: Path) -> Done:
    """Write a backup of `database` to `out` (replaced atomically; never left half-written)."""
    out = Path(out)
    if not out.parent.is_dir():
        raise BackupError(f"no directory {out.parent} to write the backup in")
    if out.is_dir():
        raise BackupError(f"{out} is a directory; name the backup file")
    started = time.monotonic()
    engine = engine_of(database)
    temporary = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        if engine == "sqlite":
            _sqlite_backup(Path(database["NAME"]), temporary)
        else:
            _pg_backup(database, temporary)
        _fsync(temporary)
        temporary.replace(out)
        _fsync(out.parent)
    finally:
        temporary.unlink(missing_ok=True)
    return Done(out, engine, out.stat().st_size, time.monotonic() - started)


def restore(database: Mapping[str, Any], source: Path) -> Done:
    """Restore the backup file `source` into `database`, which must be empty."""
    source = Path(source)
    engine = engine_of(database)
    kind = backup_kind(source)
    if kind != engine:
        raise BackupError(f"{source} is a {kind} backup; this database is {engine}")
    if not database_is_empty(database):
        raise NotEmpty(
            f"refusing to restore: the database {database['NAME']} already holds a migrated dryneedling database "
            "(restore into a new, empty database)"
        )
    started = time.monotonic()
    if engine == "sqlite":
        _sqlite_restore(source, Path(database["NAME"]))
    else:
        _pg_restore(database, source)
    return Done(source, engine, source.stat().st_size, time.monotonic() - started)


def backup_kind(source: Path) -> str:
    """"sqlite" or "postgresql" from the file's first bytes; BackupError for anything else."""
    try:
        with source.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"no backup file {source}") from None
    except IsADirectoryError:
        raise BackupError(f"{source} is a directory, not a backup file") from None
    except OSError as error:
        raise BackupError(f"cannot read {source}: {error.strerror}") from None
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{source} is not a dryneedling backup (neither SQLite nor pg_dump custom format)")


def database_is_empty(database: Mapping[str, Any]) -> bool:
    """No migrations recorded: a new database (or a SQLite file that does not exist yet)."""
    import psycopg

    try:
        return _no_migrations(database)
    except (sqlite3.DatabaseError, psycopg.Error) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise BackupError(f"cannot read the database {database['NAME']}: {first}") from None


def _no_migrations(database: Mapping[str, Any]) -> bool:
    if engine_of(database) == "sqlite":
        path = Path(database["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return True
        with contextlib.closing(sqlite3.connect(path)) as conn:
            return _sqlite_migrations(conn) == 0
    import psycopg

    with psycopg.connect(**_pg_params(database)) as conn:
        if conn.execute("SELECT to_regclass('django_migrations')").fetchone()[0] is None:  # type: ignore[index]
            return True
        return conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0] == 0  # type: ignore[index]


def sqlite_integrity(path: Path) -> str:
    """`PRAGMA integrity_check` of a SQLite file: "ok" or the first problem."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_migrations(conn: sqlite3.Connection) -> int:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'").fetchone() is None:
        return 0
    return int(conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0])


def _sqlite_backup(path: Path, temporary: Path) -> None:
    if not path.is_file():
        raise BackupError(f"no SQLite database at {path}")
    try:
        _sqlite_copy(path, temporary)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"cannot back up {path}: {error}") from None


def _sqlite_copy(path: Path, temporary: Path) -> None:
    with contextlib.closing(sqlite3.connect(path, timeout=20)) as src, contextlib.closing(
        sqlite3.connect(temporary)
    ) as dst:
        # One step: one read transaction, one snapshot. WAL lets writers go on meanwhile; a paged
        # backup restarts whenever another connection writes, so under a busy clinic it might never end.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # the backup is one self-contained file
        problem = str(dst.execute("PRAGMA integrity_check").fetchone()[0])
        if problem != "ok":
            raise BackupError(f"the backup copy failed its integrity check: {problem}")
        if _sqlite_migrations(dst) == 0:
            raise BackupError(f"{path} holds no migrated dryneedling database; nothing to back up")


def _sqlite_restore(source: Path, target: Path) -> None:
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        try:
            problem = str(src.execute("PRAGMA integrity_check").fetchone()[0])
            migrated = _sqlite_migrations(src)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a readable SQLite backup ({error})") from None
        if problem != "ok":
            raise BackupError(f"{source} failed its integrity check: {problem}")
        if migrated == 0:
            raise BackupError(f"{source} is not a dryneedling backup (no migrations recorded)")
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(target, timeout=20)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # as settings.SQLITE_OPTIONS runs it
            problem = str(dst.execute("PRAGMA integrity_check").fetchone()[0])
    if problem != "ok":
        raise BackupError(f"the restored database failed its integrity check: {problem}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- PostgreSQL --------------------------------------------------------------------------------


def _pg_params(database: Mapping[str, Any]) -> dict[str, Any]:
    params = {
        "dbname": database.get("NAME") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": str(database["PORT"]) if database.get("PORT") else None,
    }
    return {key: value for key, value in params.items() if value is not None}


def _pg_env(database: Mapping[str, Any]) -> dict[str, str]:
    """The connection for pg_dump/pg_restore in libpq's variables: the password stays out of argv."""
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update({names[key]: str(value) for key, value in _pg_params(database).items()})
    return env


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: the newest installed server's (it must not be older than the
    server), else the one on PATH."""
    installed = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    found = str(installed[-1]) if installed else shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def _run(argv: list[str], env: Mapping[str, str]) -> None:
    done = subprocess.run(argv, env=dict(env), capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{Path(argv[0]).name} failed: {lines[0] if lines else f'exit code {done.returncode}'}")


def _pg_backup(database: Mapping[str, Any], temporary: Path) -> None:
    # pg_dump reads one snapshot (a repeatable-read transaction): writers are never blocked.
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={temporary}"],
         _pg_env(database))  # fmt: skip
    _run([pg_tool("pg_restore"), "--list", str(temporary)], _pg_env(database))  # readable, complete


def _pg_restore(database: Mapping[str, Any], source: Path) -> None:
    argv = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    env = _pg_env(database)
    _run([*argv, f"--dbname={env.get('PGDATABASE', '')}", str(source)], env)
