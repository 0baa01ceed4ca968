"""Scale benchmark (issue 12, `make bench-scale`): the clinic analytics and the research export at
100,000 patients and more than 10^6 insertions, on SQLite or on PostgreSQL (DATABASE_URL).

Seeding that clinic takes minutes, so it is kept: on SQLite in BENCH_SCALE_DIR (default
$TMPDIR/dryneedling-scale), on PostgreSQL in the database DATABASE_URL names. It is seeded in
chunks of 10,000 patients (one synthetic seed each), so an interrupted seed resumes where it
stopped; a later run migrates the kept database and measures again. Budgets: every analytics
request <= 1 s at p95 (server time, through Django's test client), a constant number of queries
(the same with 10,000 and with 100,000 patients: counted on the page), research export
>= 100,000 rows/s, FHIR NDJSON export >= 20,000 resources/s.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

PATIENTS = int(os.environ.get("BENCH_PATIENTS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))


def _counter(seen: list[str]):  # type: ignore[no-untyped-def]
    """An execute wrapper that notes each statement (the page's queries, DEBUG or not)."""

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def main() -> int:
    from run import kept_database

    kept_database()  # the same kept database as `make bench`
    import django

    django.setup()
    from clinics import clinic_sizes, seed_kept, verify_second_factor
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from pages import p95
    from run import _fhir_export, _research_export

    from dryneedling.accounts.models import Clinic, User
    from dryneedling.accounts.services import clinic_create, user_create

    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.filter(slug="scale").first() or clinic_create(name="Scale", slug="scale")
    seed_kept(clinic, PATIENTS)
    sizes = clinic_sizes(clinic)
    print(f"engine: {connection.vendor}; " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()), flush=True)
    user = User.objects.filter(email="admin@scale.test").first() or user_create(
        email="admin@scale.test",
        full_name="Scale Admin",
        clinic=clinic,
        role="clinic_admin",
        password="bench",
        check_password_strength=False,
    )
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    clinician = User.objects.filter(email__startswith="synthetic-clinician", email__endswith="@scale.invalid").first()
    cases = [
        ("analytics page", "/analytics/", {}),
        ("analytics, region filter", "/analytics/", {"region": "head_neck"}),
        ("analytics, one clinician", "/analytics/", {"clinician": clinician.pk if clinician else ""}),
        ("analytics funnel SVG", "/analytics/funnel.svg", {}),
        ("analytics outcomes CSV", "/analytics/outcomes.csv", {}),
        ("what predicts response", "/analytics/response/", {}),
    ]
    from dryneedling.reports.models import DashboardSnapshot

    failed = False
    for name, path, params in cases:
        t0 = time.perf_counter()
        response = client.get(path, params)  # the warm-up (it computes what is not stored yet)
        assert response.status_code == 200, (name, response.status_code)
        slow = time.perf_counter() - t0 > 5  # far over budget: a few rounds say so
        queries: list[str] = []
        with connection.execute_wrapper(_counter(queries)):
            client.get(path, params)
        samples = []
        for _ in range(3 if slow else ROUNDS):
            t0 = time.perf_counter()
            client.get(path, params)
            samples.append((time.perf_counter() - t0) * 1000)
        worst = p95(samples)
        ok = worst <= 1000
        failed |= not ok
        print(
            f"{name:<26} p50 {statistics.median(samples):7.1f} ms  p95 {worst:7.1f} ms  "
            f"queries {len(queries):3d}  budget 1000 ms  {'ok' if ok else 'OVER BUDGET'}",
            flush=True,
        )
        if "response" not in path:  # the same view when its figures are not stored yet (or Recompute)
            computed, queries = [], []
            for _ in range(3):
                DashboardSnapshot.objects.filter(clinic=clinic).delete()
                t0 = time.perf_counter()
                with connection.execute_wrapper(_counter(queries)):
                    client.get(path, params)
                computed.append((time.perf_counter() - t0) * 1000)
            p50, top = statistics.median(computed), max(computed)
            print(f"{'  ... figures computed':<26} p50 {p50:7.1f} ms  max {top:7.1f} ms  queries {len(queries) // 3:3d}"
                  "  (first view of a filter, Recompute, the periodic job)", flush=True)  # fmt: skip
    failed |= not _research_export(clinic)
    failed |= not _fhir_export(clinic)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
