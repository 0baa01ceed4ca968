"""The planner's statistics on SQLite: analysed after a bulk load, kept by the periodic job."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

PERIODIC = "optimize" if sqlite3.sqlite_version_info >= (3, 46) else "analyze"


@pytest.mark.django_db(transaction=True)
def test_first_refresh_analyses_and_later_ones_optimise():
    from dryneedling.accounts.dbstats import planner_statistics_refresh

    if connection.vendor != "sqlite":
        assert planner_statistics_refresh() == ""  # PostgreSQL's autovacuum keeps its own ...
        assert planner_statistics_refresh(full=True) == "analyze"  # ... except right after a bulk load
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    assert planner_statistics_refresh() == "analyze"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1")
        assert cursor.fetchone()[0] > 0
    # Before SQLite 3.46 `PRAGMA optimize` looks only at tables this connection read: the periodic
    # refresh analyses (bounded); from 3.46 `PRAGMA optimize=0x10002` checks every table (issue 14).
    assert planner_statistics_refresh() == PERIODIC
    assert planner_statistics_refresh(full=True) == "analyze"


def test_migrate_leaves_statistics_on_sqlite(scratch_sqlite):  # type: ignore[no-untyped-def]
    """SQLite's documentation: run `PRAGMA optimize` after a schema change, especially after
    CREATE INDEX. `migrate` ends with the refresh (post_migrate), so the new indexes are costed."""
    from django.apps import apps
    from django.db import connections
    from django.db.models.signals import post_migrate

    from dryneedling.accounts.dbstats import refresh_after_migrate

    accounts = apps.get_app_config("accounts")
    assert ("planner_statistics_after_migrate", id(accounts)) in [key for key, *_ in post_migrate.receivers]

    with connections[scratch_sqlite].cursor() as cursor:
        cursor.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY, clinic INTEGER, patient INTEGER)")
        cursor.execute("CREATE INDEX visit_clinic_patient ON visit (clinic, patient)")
        cursor.executemany("INSERT INTO visit (clinic, patient) VALUES (1, ?)", [(i,) for i in range(50)])
    refresh_after_migrate(using=scratch_sqlite)  # as post_migrate calls it (other apps' receivers need tables)
    with connections[scratch_sqlite].cursor() as cursor:
        cursor.execute("SELECT tbl, idx, stat FROM sqlite_stat1 WHERE idx = 'visit_clinic_patient'")
        assert cursor.fetchall() == [("visit", "visit_clinic_patient", "50 50 1")]


@pytest.fixture
def scratch_sqlite(tmp_path, django_db_blocker):  # type: ignore[no-untyped-def]
    """A second connection alias on an SQLite file, configured like the real one (WAL, IMMEDIATE,
    busy timeout), whatever database the suite runs on."""
    from django.conf import settings
    from django.db import connections

    alias = "scratch_stats"
    connections.settings[alias] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "stats.sqlite3"),
        "OPTIONS": dict(settings.SQLITE_OPTIONS),
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TEST": {},
    }
    with django_db_blocker.unblock():
        try:
            yield alias
        finally:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]


def test_the_periodic_refresh_waits_for_a_concurrent_writer_instead_of_failing(scratch_sqlite):
    """Two `send-due` runs at once: `PRAGMA optimize` started as a reader and then needed to write
    sqlite_stat1; the other runner's commit in between made its snapshot stale, which SQLite
    reports at once as "database is locked", without the busy timeout (CI failure of stop 18).
    The refresh now takes the write lock first, so it queues behind the writer."""
    import sqlite3
    import threading
    import time

    from django.db import connections

    from dryneedling.accounts.dbstats import planner_statistics_refresh

    db = connections[scratch_sqlite]
    with db.cursor() as cursor:
        cursor.execute("CREATE TABLE t (a integer, b integer)")
        cursor.execute("CREATE INDEX t_a ON t (a)")
        cursor.execute("INSERT INTO t VALUES (1, 1)")
        cursor.execute("ANALYZE")
        cursor.executemany("INSERT INTO t VALUES (%s, %s)", [(i, i) for i in range(50_000)])
        cursor.execute("SELECT * FROM t WHERE a = 5")  # this connection used t: optimize re-analyses it
        cursor.fetchall()
    holding = threading.Event()

    def writer() -> None:
        other = sqlite3.connect(db.settings_dict["NAME"], isolation_level=None, timeout=20)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO t VALUES (2, 2)")
        holding.set()
        time.sleep(0.5)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(5)  # the writer holds the lock while the refresh runs
    try:
        assert planner_statistics_refresh(using=scratch_sqlite) == PERIODIC
    finally:
        thread.join()
    with db.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 't_a'")
        assert int(cursor.fetchone()[0].split()[0]) > 50_000  # re-analysed after the writer committed
