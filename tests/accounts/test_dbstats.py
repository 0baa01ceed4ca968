"""The planner's statistics on SQLite: analysed after a bulk load, kept by the periodic job."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_first_refresh_analyses_and_later_ones_optimise():
    from dryneedling.accounts.dbstats import planner_statistics_refresh

    if connection.vendor != "sqlite":
        assert planner_statistics_refresh() == ""  # PostgreSQL's autovacuum keeps its own
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    assert planner_statistics_refresh() == "analyze"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1")
        assert cursor.fetchone()[0] > 0
    assert planner_statistics_refresh() == "optimize"
    assert planner_statistics_refresh(full=True) == "analyze"
