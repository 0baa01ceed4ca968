"""Databases of the engine under test, for backup, restore and kill -9 (issue 14).

`ops_db.source` is a migrated database with the test database's rows: on SQLite a file copied from
the in-memory test database (the online backup API), on PostgreSQL the test database itself.
`ops_db.fresh()` is a new, empty database of the same engine, removed after the test.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection


class OpsDatabases:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.engine = "sqlite" if connection.vendor == "sqlite" else "postgresql"
        self.created: list[str] = []
        connection.ensure_connection()
        if self.engine == "sqlite":
            self.source: dict[str, Any] = self._sqlite_copy(tmp / "source.sqlite3")
        else:
            self.source = dict(connection.settings_dict)

    @staticmethod
    def _sqlite_copy(path: Path) -> dict[str, Any]:
        """The in-memory test database, as it is now, written to a WAL-mode file."""
        copy = sqlite3.connect(path)
        try:
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode=WAL")
        finally:
            copy.close()
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}

    def dedicated(self, sqlite_path: Path) -> dict[str, Any]:
        """A database of its own holding the test database's committed rows as they are now."""
        if self.engine == "sqlite":
            return self._sqlite_copy(sqlite_path)
        from dryneedling.ops.backup import backup, restore

        target = self.fresh()
        restore(target, backup(self.source, self.tmp / "dedicated.backup").path)
        return target

    def connect(self, database: dict[str, Any]) -> Any:
        """A raw autocommit connection (sqlite3 or psycopg) to `database`."""
        if self.engine == "sqlite":
            conn = sqlite3.connect(database["NAME"], timeout=20, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            return conn
        import psycopg

        from dryneedling.ops.backup import _pg_params

        return psycopg.connect(**_pg_params(database), autocommit=True)

    def fresh(self) -> dict[str, Any]:
        if self.engine == "sqlite":
            path = self.tmp / f"fresh-{uuid.uuid4().hex[:8]}.sqlite3"
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
        name = f"{self.source['NAME']}_ops_{uuid.uuid4().hex[:8]}"
        with self.connect(self.source) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return {**self.source, "NAME": name}

    def drop_created(self) -> None:
        if not self.created:
            return
        with self.connect(self.source) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def ops_db(transactional_db: Any, tmp_path: Path) -> Iterator[OpsDatabases]:
    databases = OpsDatabases(tmp_path)
    try:
        yield databases
    finally:
        databases.drop_created()
