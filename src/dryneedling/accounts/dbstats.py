"""The query planner's statistics (issue 10, measured on the 10,000-patient bench clinic).

Every patient-data query filters on `clinic_id` (the tenancy rule) and on a more selective column
(a patient, a due date). Without statistics, SQLite's planner cannot tell that `clinic_id` has one
value in a one-clinic database and often walks the whole clinic through the clinic index: the
patient page took 544 ms on the bench clinic, 94 ms once `ANALYZE` had run. PostgreSQL's autovacuum
keeps its statistics; SQLite needs to be asked.

- `planner_statistics_refresh(full=True)` runs a bounded `ANALYZE` (after a bulk load: the
  synthetic seeder, the demo).
- `planner_statistics_refresh()` is what the periodic `send-due` job runs: a first `ANALYZE` when
  the database has never been analysed, else `PRAGMA optimize`, which re-analyses only the tables
  that changed enough (https://sqlite.org/lang_analyze.html, "Recommended usage pattern").
- `migrate` refreshes them too (issue 14, a `post_migrate` receiver): SQLite's documentation asks
  for `PRAGMA optimize` after a schema change, "especially after one or more CREATE INDEX
  statements" (https://sqlite.org/pragma.html#pragma_optimize), and an upgrade that adds indexes
  to a big clinic then has them costed at once.
- `PRAGMA optimize` before SQLite 3.46 considers only the tables the running connection has read
  (measured on 3.40: on a fresh connection it analyses nothing, even with `=0x10002`); a periodic
  job's connection has read almost none of them. There the periodic refresh is the bounded
  `ANALYZE` (`analysis_limit`: 60 ms on the 200-patient clinic, 120 ms at 5,000). From 3.46 it is
  `PRAGMA optimize=0x10002`, which checks every table ("0x10000: all tables, not only those used
  by this connection"). Not at each request's close (the documentation's short-lived pattern): a
  request would then take the write lock at its end, and in autocommit fail at once under a
  concurrent writer (below); the migrate, bulk-load and periodic points cover it.
- All run in an IMMEDIATE transaction, so a concurrent writer makes them wait, not fail
  (https://sqlite.org/wal.html, "Sometimes Queries Return SQLITE_BUSY In WAL Mode").
"""

from __future__ import annotations

import sqlite3

from django.db import DEFAULT_DB_ALIAS, connections, transaction

ANALYSIS_LIMIT = 1000  # rows sampled per index: enough for selectivity, fast on a large file
OPTIMIZE_ALL_TABLES = (3, 46, 0)  # the SQLite version whose `PRAGMA optimize=0x10002` checks every table


def planner_statistics_refresh(*, full: bool = False, using: str = DEFAULT_DB_ALIAS) -> str:
    """Refresh the planner's statistics; what was run ("analyze", "optimize", or ""). PostgreSQL's
    autovacuum keeps them, except right after a bulk load (`full`)."""
    connection = connections[using]
    if connection.vendor == "postgresql" and full:
        # After a bulk load, before autovacuum has looked: with no statistics the planner may nest
        # sequential scans inside a correlated subquery (a CI run spent 16 minutes on the response
        # features of 600 synthetic patients). Inside a transaction ANALYZE counts its own new rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return "analyze"
    if connection.vendor != "sqlite":
        return ""
    # In one transaction, begun IMMEDIATE (settings): the write lock is taken before the first
    # read. In autocommit, `PRAGMA optimize` read first and then wrote sqlite_stat1; a concurrent
    # writer's commit in between made its snapshot stale, which SQLite reports at once as
    # "database is locked", without waiting out the busy timeout (two send-due runs at once).
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        never = cursor.fetchone() is None
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        if full or never or sqlite3.sqlite_version_info < OPTIMIZE_ALL_TABLES:
            cursor.execute("ANALYZE")
            return "analyze"
        cursor.execute("PRAGMA optimize=0x10002")
        return "optimize"


def refresh_after_migrate(*, using: str = DEFAULT_DB_ALIAS, **_: object) -> None:
    """The `post_migrate` receiver (connected once, by the accounts app): a schema change, new
    indexes among them, gets its statistics at once on SQLite."""
    planner_statistics_refresh(using=using)
