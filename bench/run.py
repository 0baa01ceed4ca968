"""Benchmarks (not part of `make test`): seeding rate and server time of the main pages.

Runs on a throwaway SQLite database under a temp dir (or on DATABASE_URL if set; that
database must be empty). Budgets: p95 <= 100 ms for htmx partials, <= 200 ms for pages,
with 10,000 patients in the clinic; the research export >= 100,000 rows/s; the FHIR NDJSON export
>= 20,000 resources/s (issue 13), with its peak memory.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PATIENTS = int(os.environ.get("BENCH_PATIENTS", "10000"))  # with their full clinical history
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "60"))


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def _open_session(user):  # type: ignore[no-untyped-def]
    """A screened, consented patient with a session in progress, through the services."""
    from dryneedling.care.session import session_start
    from dryneedling.clinical.clean_technique import CLEAN_TECHNIQUE
    from dryneedling.clinical.intake import all_clear_answers
    from dryneedling.followup.models import Alert
    from dryneedling.intake.services import screening_record
    from dryneedling.patients.models import Patient
    from dryneedling.safetyrecords.services import clinician_profile_set, training_record_add
    from dryneedling.treatment.services.chart import consent_record, optional_consent_items
    from dryneedling.treatment.services.session import session_clean_technique_record

    clinician_profile_set(actor=user, clinician=user, profession="physical_therapist")
    training_record_add(
        actor=user, clinician=user, course="Bench course", provider="Bench", hours=60, completed_on=date(2024, 1, 1)
    )
    open_tasks = Alert.objects.for_actor(user).filter(kind="serious_side_effect", acknowledged_at__isnull=True)
    patient = Patient.objects.for_actor(user).exclude(pk__in=open_tasks.values("patient_id")).order_by("id").first()
    answers = all_clear_answers()
    screening_record(actor=user, patient=patient, answers=answers)
    consent_record(
        actor=user, patient=patient, signed_name=patient.display_name, optional_items=optional_consent_items()
    )
    checklist = {
        "new_anticoagulants": False,
        "possibly_pregnant": False,
        "new_symptoms": False,
        "new_medication": False,
        "position": "prone",
    }
    session = session_start(actor=user, episode=patient.episodes.first(), checklist=checklist, payer="self_pay")
    ticked = [item.id for item in CLEAN_TECHNIQUE]
    return session_clean_technique_record(actor=user, session=session, expected_version=session.version, ticked=ticked)


def _record_point(client, session):  # type: ignore[no-untyped-def]
    session.refresh_from_db()
    data = {
        "version": session.version,
        "muscle_id": "gluteus_medius",
        "side": "right",
        "technique": "pistoning",
        "needle_diameter_mm": "0.30",
        "needle_length_mm": "50",
        "planned_seconds": "30",
        "actual_seconds": "28",
        "twitch_count": "2",
    }
    response = client.post(f"/sessions/{session.pk}/points/", data, headers={"HX-Request": "true"})
    assert b"Point saved" in response.content, response.content[:500]
    return response


def _verify_second_factor(client, user):  # type: ignore[no-untyped-def]
    """Clinicians need two-factor sign-in: record a verified TOTP device as django_otp.login does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _appointment_book(clinic, user):  # type: ignore[no-untyped-def]
    """Eight clinicians (the bench user and seven more) with 08:00-18:00 every day and full books
    from four weeks back to four weeks ahead, written in bulk; a front-desk user to view them."""
    from django.utils import timezone

    from dryneedling.accounts.services import user_create
    from dryneedling.patients.models import Patient
    from dryneedling.scheduling.seed import seed_book, seed_hours
    from dryneedling.scheduling.selectors import clinic_today

    clinic.time_zone = "Europe/Berlin"
    clinic.save(update_fields=["time_zone"])
    more = [
        user_create(
            email=f"clin{i}@bench.test",
            full_name=f"Clinician {i}",
            clinic=clinic,
            role="clinician",
            password="bench",
            check_password_strength=False,
        )
        for i in range(7)
    ]
    desk = user_create(
        email="desk@bench.test",
        full_name="Desk",
        clinic=clinic,
        role="front_desk",
        password="bench",
        check_password_strength=False,
    )
    clinicians = [user, *more]
    seed_hours(clinic=clinic, clinicians=clinicians)
    today = clinic_today(clinic)
    patient_ids = list(Patient.objects.for_clinic(clinic).order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    written = seed_book(
        clinic=clinic,
        clinicians=clinicians,
        patient_ids=patient_ids,
        first_day=today - timedelta(days=28),
        days=57,
        now=timezone.now(),
    )
    seconds = time.perf_counter() - started
    print(f"appointments: {written} for {len(clinicians)} clinicians in {seconds:.2f} s")
    return desk, today.isoformat()


def main() -> int:
    os.environ.setdefault("DRYNEEDLING_VAR_DIR", tempfile.mkdtemp(prefix="dryneedling-bench-"))
    os.environ["DRYNEEDLING_DEMO"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dryneedling.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from dryneedling.accounts.services import clinic_create, user_create
    from dryneedling.patients.models import Patient
    from dryneedling.synthetic.loader import seed_clinic

    call_command("migrate", verbosity=0)
    clinic = clinic_create(name="Bench", slug="bench")
    started, cpu = time.perf_counter(), time.process_time()
    seed_clinic(clinic=clinic, patients=PATIENTS, seed=1)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"engine: {connection.vendor}")
    print(
        f"seed: {PATIENTS} patients in {seconds:.2f} s = {PATIENTS / seconds:,.0f} patients/s"
        f" ({PATIENTS / cpu:,.0f} per CPU-second of this process; budget 5,000/s, issue 14)"
    )

    user = user_create(
        email="bench@bench.test",
        full_name="Bench",
        clinic=clinic,
        role="clinician",
        password="bench",
        check_password_strength=False,
    )
    session = _open_session(user)
    client = Client()
    client.force_login(user)
    _verify_second_factor(client, user)
    patient_ids = list(Patient.objects.for_clinic(clinic).values_list("pk", flat=True)[:ROUNDS])
    desk, today = _appointment_book(clinic, user)
    desk_client = Client()
    desk_client.force_login(desk)
    cases = [
        ("patient list page", "page", lambda i: client.get("/patients/", {"page": i % 50 + 1})),
        (
            "patient search partial",
            "partial",
            lambda i: client.get(
                "/patients/", {"q": ["smi", "lee", "SYN1-0000123", "an"][i % 4]}, headers={"HX-Request": "true"}
            ),
        ),
        ("patient overview page", "page", lambda i: client.get(f"/patients/{patient_ids[i % len(patient_ids)]}/")),
        ("patient body chart page", "page", lambda i: client.get(f"/episodes/{session.episode_id}/chart/")),
        ("session screen page", "page", lambda i: client.get(f"/sessions/{session.pk}/")),
        ("record a point (htmx)", "partial", lambda i: _record_point(client, session)),
        ("day view, all clinicians", "page", lambda i: desk_client.get("/schedule/", {"date": today})),
        ("day view, page 2", "page", lambda i: desk_client.get("/schedule/", {"date": today, "page": 2})),
        ("week view, one clinician", "page", lambda i: client.get("/schedule/week/", {"date": today})),
        ("Today, clinician", "page", lambda i: client.get("/today/")),
        ("Today, front desk", "page", lambda i: desk_client.get("/today/")),
        # The clinic analytics (issue 12): the page's aggregates, then one chart and one CSV.
        ("clinic analytics page", "analytics", lambda i: client.get("/analytics/")),
        ("analytics, region filter", "analytics", lambda i: client.get("/analytics/", {"region": "head_neck"})),
        ("analytics funnel SVG", "analytics", lambda i: client.get("/analytics/funnel.svg")),
        ("analytics outcomes CSV", "analytics", lambda i: client.get("/analytics/outcomes.csv")),
    ]
    budgets = {"page": 200.0, "partial": 100.0, "analytics": 1000.0}
    failed = False
    for name, kind, request in cases:
        request(0)  # warm up
        samples = []
        for i in range(ROUNDS):
            t0 = time.perf_counter()
            response = request(i)
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        worst = p95(samples)
        ok = worst <= budgets[kind]
        failed |= not ok
        print(
            f"{name:<26} p50 {statistics.median(samples):6.1f} ms  p95 {worst:6.1f} ms  "
            f"budget {budgets[kind]:.0f} ms  {'ok' if ok else 'OVER BUDGET'}"
        )
    failed |= not _research_export(clinic)
    failed |= not _fhir_export(clinic)
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

    os.environ["DRYNEEDLING_DEMO"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dryneedling.settings"
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
