"""The pages `make bench` measures (issue 14), each on the big and on the small clinic, interleaved:
round i requests the page once on each clinic, alternating which goes first, so that the machine's
drift (other processes, caches warming) falls on both sides alike. URLs come from `reverse()` and
the assertions only check the status (and, for recording a point, that it was saved), so the pages
can change under the bench.

Kinds and budgets (server time through Django's test client, p95 on the big clinic):
page 200 ms, partial 100 ms (htmx fragments, the outcome chart SVG a patient page loads, recording
a point), analytics 1,000 ms (issue 12; its figures are stored, see `make bench-scale` for the
recompute). Every page: big p50 / small p50 <= 1.3.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from clinics import Side
from writes import POINT

BUDGETS = {"page": 200.0, "partial": 100.0, "analytics": 1000.0}
RATIO_BUDGET = 1.3


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


def _record_point(side: Side) -> Any:
    session = side.session
    session.refresh_from_db()
    data = {"version": session.version, **POINT}
    response = side.client.post(_url("insertion-add", session.pk), data, headers={"HX-Request": "true"})
    assert b"Point saved" in response.content, response.content[:500]
    return response


HTMX = {"HX-Request": "true"}
Case = tuple[str, str, Callable[[Side, int], Any]]
CASES: list[Case] = [
    ("patient list page", "page", lambda s, i: s.client.get(_url("patient-list"), {"page": i % 5 + 1})),
    ("patient search partial", "partial", lambda s, i: s.client.get(
        _url("patient-list"), {"q": ["smi", "lee", "SYN1-0000123", "an"][i % 4]}, headers=HTMX)),
    ("patient overview page", "page", lambda s, i: s.client.get(
        _url("patient-detail", s.patient_ids[i % len(s.patient_ids)]))),
    ("outcome chart SVG", "partial", lambda s, i: s.client.get(
        _url("episode-outcomes-svg", s.episode_ids[i % len(s.episode_ids)]))),
    ("follow-up list page", "page", lambda s, i: s.client.get(_url("followup-list"))),
    ("body chart page", "page", lambda s, i: s.client.get(_url("episode-chart", s.session.episode_id))),
    ("session screen page", "page", lambda s, i: s.client.get(_url("session-detail", s.session.pk))),
    ("record a point (htmx)", "partial", lambda s, i: _record_point(s)),
    ("day view, all clinicians", "page", lambda s, i: s.desk_client.get(_url("schedule-day"), {"date": s.today})),
    ("day view, page 2", "page", lambda s, i: s.desk_client.get(
        _url("schedule-day"), {"date": s.today, "page": 2})),
    ("week view, one clinician", "page", lambda s, i: s.client.get(_url("schedule-week"), {"date": s.today})),
    ("Today, clinician", "page", lambda s, i: s.client.get(_url("today"))),
    ("Today, front desk", "page", lambda s, i: s.desk_client.get(_url("today"))),
    ("analytics page", "analytics", lambda s, i: s.client.get(_url("analytics"))),
    ("analytics, region filter", "analytics", lambda s, i: s.client.get(_url("analytics"), {"region": "head_neck"})),
    ("analytics funnel SVG", "analytics", lambda s, i: s.client.get(_url("analytics-chart", "funnel"))),
    ("analytics outcomes CSV", "analytics", lambda s, i: s.client.get(_url("analytics-csv", "outcomes"))),
]  # fmt: skip


def _queries(request: Callable[[], Any]) -> int:
    """Statements run by one request (counted with an execute wrapper, DEBUG or not)."""
    from django.db import connection

    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        request()
    return len(seen)


def _timed(name: str, request: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    response = request()
    ms = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, (name, response.status_code)
    return ms


def measure(big: Side, small: Side, rounds: int) -> bool:
    """Print the table; True when every budget is met."""
    print(f"\n| page | kind | big p50 | big p95 | small p50 | small p95 | ratio | queries big/small | "
          f"p95 budget | ratio ≤ {RATIO_BUDGET} |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---|---|")
    ok_all = True
    for name, kind, request in CASES:
        sides = (big, small)
        samples: dict[str, list[float]] = {big.label: [], small.label: []}
        queries = {}
        for side in sides:
            _timed(name, partial(request, side, 0))  # warm up
            queries[side.label] = _queries(partial(request, side, 1))
        for i in range(rounds):
            for side in sides if i % 2 == 0 else sides[::-1]:
                samples[side.label].append(_timed(name, partial(request, side, i)))
        b50, b95 = statistics.median(samples[big.label]), p95(samples[big.label])
        s50, s95 = statistics.median(samples[small.label]), p95(samples[small.label])
        ratio = b50 / s50
        budget = BUDGETS[kind]
        p95_ok, ratio_ok = max(b95, s95) <= budget, ratio <= RATIO_BUDGET
        ok_all &= p95_ok and ratio_ok
        print(f"| {name} | {kind} | {b50:.1f} ms | {b95:.1f} ms | {s50:.1f} ms | {s95:.1f} ms | {ratio:.2f} | "
              f"{queries[big.label]}/{queries[small.label]} | ≤ {budget:.0f} ms {'PASS' if p95_ok else 'FAIL'} | "
              f"{'PASS' if ratio_ok else 'FAIL'} |", flush=True)  # fmt: skip
    return ok_all
