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
- Both run in an IMMEDIATE transaction, so a concurrent writer makes them wait, not fail
  (https://sqlite.org/wal.html, "Sometimes Queries Return SQLITE_BUSY In WAL Mode").
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, transaction

ANALYSIS_LIMIT = 1000  # rows sampled per index: enough for selectivity, fast on a large file


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
        if full or never:
            cursor.execute("ANALYZE")
            return "analyze"
        cursor.execute("PRAGMA optimize")
        return "optimize"
