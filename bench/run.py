"""Benchmarks (not part of `make test`): server time of the main pages on a big clinic and a small
one side by side (issue 14), the research export's and the FHIR export's rates.

    make bench                                  # SQLite, kept in BENCH_SCALE_DIR
    DATABASE_URL=postgres://... make bench      # PostgreSQL, kept in that database

The big clinic (BENCH_PATIENTS, default 100,000 patients with their full history: > 10^6
insertions) is seeded once and kept between runs: on SQLite in BENCH_SCALE_DIR (default
$TMPDIR/dryneedling-scale, the database `make bench-scale` uses; same clinic), on PostgreSQL in the
database DATABASE_URL names. Seeding is in chunks of 10,000 patients, so an interrupted seed
resumes; a later run migrates the kept database and measures again. A small clinic of 400 patients
(BENCH_SMALL_PATIENTS) sits beside it in the same database. For a quick run while developing, set
BENCH_PATIENTS (e.g. 5000) and a BENCH_SCALE_DIR of its own: a directory keeps the size it was
first seeded with.

Pages (see bench/pages.py, URLs by reverse()): patient list, patient search (htmx), patient
overview, outcome chart SVG, follow-up list, body chart, session screen, record a point (htmx),
schedule day view (and its page 2), week view, Today for a clinician and for the front desk, the
clinic analytics (page, region filter, funnel SVG, outcomes CSV). For each: p50/p95 on both
clinics (BENCH_ROUNDS requests each, interleaved), the ratio big/small of the p50s and the queries
per request. Budgets: ratio <= 1.3 for every page; p95 <= 200 ms for pages, <= 100 ms for partials
and recording a point, <= 1 s for analytics; the research export >= 100,000 rows/s; the FHIR NDJSON
export >= 20,000 resources/s (issue 13), with its peak memory (both on the big clinic;
BENCH_EXPORTS=0 skips them).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from clinics import BIG_SLUG, SMALL_SLUG, bench_side, clinic_sizes, seed_kept  # noqa: E402
from pages import measure  # noqa: E402

PATIENTS = int(os.environ.get("BENCH_PATIENTS", "100000"))  # with their full clinical history
SMALL_PATIENTS = int(os.environ.get("BENCH_SMALL_PATIENTS", "400"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "60"))


def kept_database() -> None:
    """Point the settings at the kept SQLite directory (unless DATABASE_URL names a database)."""
    if not os.environ.get("DATABASE_URL"):
        default = Path(tempfile.gettempdir()) / "dryneedling-scale"
        directory = Path(os.environ.get("BENCH_SCALE_DIR", str(default)))
        directory.mkdir(parents=True, exist_ok=True)
        os.environ["DRYNEEDLING_VAR_DIR"] = str(directory)
    os.environ["DRYNEEDLING_DEMO"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dryneedling.settings"


def main() -> int:
    kept_database()
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # PDFs rendered by the pages: not the bench's output
    from django.core.management import call_command
    from django.db import connection

    from dryneedling.accounts.models import Clinic
    from dryneedling.accounts.services import clinic_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s", flush=True)
    big = Clinic.objects.filter(slug=BIG_SLUG).first() or clinic_create(name="Scale", slug=BIG_SLUG)
    small = Clinic.objects.filter(slug=SMALL_SLUG).first() or clinic_create(name="Bench small", slug=SMALL_SLUG)
    seed_kept(big, PATIENTS)
    seed_kept(small, SMALL_PATIENTS)
    print(f"engine: {connection.vendor}", flush=True)
    for label, clinic in (("big", big), ("small", small)):
        sizes = clinic_sizes(clinic)
        print(f"{label} clinic {clinic.slug!r}: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()), flush=True)
    started = time.perf_counter()
    sides = bench_side("big", big, ROUNDS), bench_side("small", small, ROUNDS)
    print(f"set-up (users, session, appointment books): {time.perf_counter() - started:.1f} s", flush=True)
    failed = not measure(*sides, rounds=ROUNDS)
    if os.environ.get("BENCH_EXPORTS", "1") != "0":
        failed |= not _research_export(big)
        failed |= not _fhir_export(big)
    return 1 if failed else 0


def _research_export(clinic) -> bool:  # type: ignore[no-untyped-def]
    """The research export's rate (issue 12 budget: 100,000 rows/s), beside the floor in the same
    run: only reading the same rows (the insertions' raw SQL) with nothing written."""
    from dryneedling.reports.research.export import export_research
    from dryneedling.reports.research.tables import stream_batches
    from dryneedling.treatment.models import Insertion

    query = Insertion.objects.for_clinic(clinic).values_list("id", "session_id", "muscle_id", "needle_length_mm")
    t0 = time.perf_counter()
    read = sum(len(rows) for rows in stream_batches(query))
    floor = read / (time.perf_counter() - t0)
    result = export_research(clinic=clinic, out=Path(tempfile.mkdtemp(prefix="research-")) / "export")
    rate = result.total / result.seconds
    ok = rate >= 100_000
    print(
        f"research export: {result.total:,} rows in {result.seconds:.2f} s = {rate:,.0f} rows/s "
        f"(reading insertions alone: {floor:,.0f} rows/s; ratio {rate / floor:.2f})  "
        f"budget 100,000 rows/s  {'ok' if ok else 'UNDER BUDGET'}"
    )
    return ok


FHIR_BUDGET = 20_000  # resources/s (issue 13), on 2 cores


def _insertion_floor(clinic) -> float:  # type: ignore[no-untyped-def]
    """Rows/s of only reading the insertions (raw SQL, nothing built or written): the floor."""
    from dryneedling.reports.research.tables import stream_batches
    from dryneedling.treatment.models import Insertion

    query = Insertion.objects.for_clinic(clinic).values_list("id", "session_id", "muscle_id", "needle_length_mm")
    t0 = time.perf_counter()
    read = sum(len(rows) for rows in stream_batches(query))
    return read / (time.perf_counter() - t0)


def _fhir_export(clinic) -> bool:  # type: ignore[no-untyped-def]
    """The FHIR NDJSON export's rate (issue 13 budget: 20,000 resources/s), beside the insertion
    read floor of the same run, and its peak memory: run in a fresh process (same database), whose
    peak resident memory grows by what the export holds at most (constant memory: batches, not
    the clinic)."""
    import json
    import shutil
    import subprocess

    floor = _insertion_floor(clinic)
    out = Path(tempfile.mkdtemp(prefix="fhir-")) / "export"
    child = subprocess.run(
        [sys.executable, __file__, "fhir-export-child", clinic.slug, str(out)],
        capture_output=True, text=True, check=False, env=os.environ.copy(),
    )  # fmt: skip
    if child.returncode != 0:
        print(f"fhir export: FAILED\n{child.stderr[-2000:]}")
        return False
    result = json.loads(child.stdout.strip().splitlines()[-1])
    shutil.rmtree(out.parent, ignore_errors=True)  # gigabytes at scale
    rate = result["total"] / result["seconds"]
    ok = rate >= FHIR_BUDGET
    print(
        f"fhir export: {result['total']:,} resources in {result['seconds']:.2f} s = {rate:,.0f} resources/s "
        f"(procedures {result['counts'].get('Procedure', 0):,}; reading insertions alone: {floor:,.0f} rows/s; "
        f"ratio {rate / floor:.2f}; cpu {result['cpu_seconds']:.2f} s; "
        f"peak memory +{result['maxrss_mb']:.1f} MB over the start)  "
        f"budget {FHIR_BUDGET:,} resources/s  {'ok' if ok else 'UNDER BUDGET'}",
        flush=True,
    )
    return ok


def _memory_kb(field: str) -> int | None:
    """A line of /proc/self/status in kB (Linux), or None."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _fhir_export_child(slug: str, out: str) -> int:
    """In the fresh process: the export alone, its time and how far the resident memory rose above
    what the process held before it (the peak is reset first where Linux allows it; else the
    maxrss growth, which misses a peak lower than the start-up's)."""
    import json
    import resource

    kept_database()
    import django

    django.setup()
    from dryneedling.accounts.models import Clinic
    from dryneedling.clinical.billing import get_billing
    from dryneedling.clinical.instruments import get_instrument_data
    from dryneedling.clinical.knowledge import get_knowledge
    from dryneedling.fhir.export import export_ndjson

    clinic = Clinic.objects.get(slug=slug)
    get_knowledge(), get_billing(), get_instrument_data()  # loaded once per process, not per export
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM, the peak resident memory
        reset = True
    except OSError:
        reset = False
    before_rss = _memory_kb("VmRSS")
    before_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = time.process_time()
    result = export_ndjson(clinic=clinic, out=Path(out))
    cpu = time.process_time() - cpu
    peak = _memory_kb("VmHWM")
    if reset and peak is not None and before_rss is not None:
        grown = (peak - before_rss) / 1024
    else:
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_max) / 1024  # kB on Linux
    print(json.dumps({"total": result.total, "seconds": result.seconds, "cpu_seconds": cpu, "counts": result.counts,
                      "maxrss_mb": grown}))  # fmt: skip
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["fhir-export-child"]:
        sys.exit(_fhir_export_child(sys.argv[2], sys.argv[3]))
    sys.exit(main())
