"""Record-a-point throughput (issue 14): 32 clients at once against gunicorn with 3 workers.

Each client is a clinician signed in (two-factor verified) with a session of their own in
progress; it posts points as the page does (htmx, CSRF token, the form's version and client key,
both read back from each answer), for BENCH_WRITES_SECONDS after a short warm-up. Prints writes/s,
errors and latency, and checks that every acknowledged point is in the database.

    python bench/writes.py                       # a throwaway SQLite database file
    DATABASE_URL=postgres://… python bench/writes.py   # an empty PostgreSQL database

Budget (issue 14): >= 200 writes/s on PostgreSQL on 2 cores, 0 errors. The load generator runs
on the same machine (its threads take CPU from the workers): the figure is a floor.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

CLIENTS = int(os.environ.get("BENCH_WRITES_CLIENTS", "32"))
WORKERS = int(os.environ.get("BENCH_WRITES_WORKERS", "3"))
SECONDS = float(os.environ.get("BENCH_WRITES_SECONDS", "20"))
WARMUP = float(os.environ.get("BENCH_WRITES_WARMUP", "3"))
SRC = Path(os.environ.get("BENCH_WRITES_SRC", Path(__file__).resolve().parent.parent / "src"))

VERSION = re.compile(r'name="version" value="(\d+)"')
CLIENT_KEY = re.compile(r'name="client_key" value="([0-9a-f-]{36})"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
POINT = {
    "muscle_id": "gluteus_medius",
    "side": "right",
    "technique": "pistoning",
    "needle_diameter_mm": "0.30",
    "needle_length_mm": "50",
    "planned_seconds": "30",
    "actual_seconds": "28",
    "twitch_count": "2",
}


def _clinicians(count: int) -> list[tuple[str, int]]:
    """`count` trained clinicians, each with a screened, consented patient and a session in
    progress: (session cookie, session id) for each."""
    from clinics import CHECKLIST
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dryneedling.accounts.services import clinic_create, user_create
    from dryneedling.care.session import session_start
    from dryneedling.clinical.clean_technique import CLEAN_TECHNIQUE
    from dryneedling.clinical.intake import all_clear_answers
    from dryneedling.intake.services import screening_record
    from dryneedling.patients.models import Patient
    from dryneedling.safetyrecords.services import clinician_profile_set, training_record_add
    from dryneedling.synthetic.loader import seed_clinic
    from dryneedling.treatment.services.chart import consent_record, optional_consent_items
    from dryneedling.treatment.services.session import session_clean_technique_record

    clinic = clinic_create(name="Writes bench", slug="writes-bench")
    seed_clinic(clinic=clinic, patients=count, seed=14, treatment=False)
    found = []
    for n, patient in enumerate(Patient.objects.for_clinic(clinic).order_by("id")[:count]):
        user = user_create(
            email=f"writer{n}@bench.test",
            full_name=f"Writer {n}",
            clinic=clinic,
            role="clinician",
            password="bench",
            check_password_strength=False,
        )
        clinician_profile_set(actor=user, clinician=user, profession="physical_therapist")
        training_record_add(
            actor=user, clinician=user, course="Bench course", provider="Bench", hours=60, completed_on=date(2024, 1, 1)
        )
        screening_record(actor=user, patient=patient, answers=all_clear_answers())
        consent_record(
            actor=user, patient=patient, signed_name=patient.display_name, optional_items=optional_consent_items()
        )
        session = session_start(actor=user, episode=patient.episodes.first(), checklist=CHECKLIST, payer="self_pay")
        session = session_clean_technique_record(
            actor=user, session=session, expected_version=session.version, ticked=[i.id for i in CLEAN_TECHNIQUE]
        )
        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True)
        browser = client.session
        browser[DEVICE_ID_SESSION_KEY] = device.persistent_id
        browser.save()
        found.append((client.cookies[settings.SESSION_COOKIE_NAME].value, session.pk))
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """gunicorn as `dryneedling serve` runs it (cli._gunicorn), without the access log."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "dryneedling.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--timeout",
        "120",  # a busy 2-core machine boots a worker slowly
        "--control-socket",
        str(Path(env["DRYNEEDLING_VAR_DIR"]) / "gunicorn-writes.ctl"),
    ]
    server = subprocess.Popen(command, env=env)  # noqa: S603 - fixed argv, no shell
    import requests

    answered, deadline = 0, time.monotonic() + 300
    while answered < 3 * WORKERS and time.monotonic() < deadline:  # every worker booted and warm
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=60)
            answered += 1
        except requests.RequestException:
            time.sleep(0.5)
    if answered < 3 * WORKERS:
        server.kill()
        raise SystemExit("gunicorn did not start")
    return server


class Writer(threading.Thread):
    """One clinician's browser: reads the session page, then posts points back to back."""

    def __init__(self, base: str, cookie: str, session_id: int, start: float, stop: float) -> None:
        super().__init__(daemon=True)
        import requests

        self.http = requests.Session()
        self.http.cookies.set("sessionid", cookie)
        self.url = f"{base}/sessions/{session_id}/"
        self.start_at, self.stop_at = start, stop
        self.saved = self.errors = 0
        self.latencies: list[float] = []
        self.problems: list[str] = []

    def _page(self, html: str) -> dict[str, str]:
        version, key = VERSION.search(html), CLIENT_KEY.search(html)
        if not version:
            raise ValueError("no point form in the answer")
        # (no key before issue 14: the bench also measures an older checkout, PYTHONPATH=old/src)
        return {"version": version.group(1)} | ({"client_key": key.group(1)} if key else {})

    def run(self) -> None:
        page = self.http.get(self.url)
        token = CSRF.search(page.text)
        if page.status_code != 200 or token is None:
            self.errors += 1
            self.problems.append(f"session page: {page.status_code}")
            return
        headers = {"HX-Request": "true", "X-CSRFToken": token.group(1), "Referer": self.url}
        form = self._page(page.text)
        while (now := time.monotonic()) < self.stop_at:
            began = time.perf_counter()
            try:
                answer = self.http.post(self.url + "points/", POINT | form, headers=headers, timeout=60)
                ok = answer.status_code == 200 and "Point saved" in answer.text
                if ok:
                    form = self._page(answer.text)
            except Exception as error:  # a refused connection, a timeout: counted, and the run goes on
                ok, answer = False, None
                self.problems.append(repr(error)[:200])
            if now < self.start_at:
                continue  # warm-up
            if ok:
                self.saved += 1
                self.latencies.append(time.perf_counter() - began)
            else:
                self.errors += 1
                if answer is not None:
                    self.problems.append(f"{answer.status_code}: {answer.text[:120]!r}")


def main() -> int:
    var_dir = tempfile.mkdtemp(prefix="dryneedling-writes-")
    os.environ["DRYNEEDLING_VAR_DIR"] = var_dir
    os.environ["DRYNEEDLING_DEMO"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dryneedling.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dryneedling.treatment.models import Insertion

    call_command("migrate", verbosity=0)
    clients = _clinicians(CLIENTS)
    before = Insertion.unscoped.count()
    connection.close()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH", "")])))
    port = _free_port()
    server = _serve(port, env)
    try:
        start = time.monotonic() + WARMUP
        stop = start + SECONDS
        writers = [Writer(f"http://127.0.0.1:{port}", cookie, pk, start, stop) for cookie, pk in clients]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    saved = sum(w.saved for w in writers)
    errors = sum(w.errors for w in writers)
    latencies = sorted(t for w in writers for t in w.latencies)
    stored = Insertion.unscoped.count() - before
    print(f"engine: {connection.vendor}; {CLIENTS} clients, gunicorn {WORKERS} workers, {os.cpu_count()} cores")
    print(f"record a point: {saved / SECONDS:.1f} writes/s over {SECONDS:.0f} s, {errors} errors")
    if latencies:
        p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
        print(f"latency at the client: p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    print(f"points in the database: {stored} (acknowledged in the measured window: {saved}, plus the warm-up's)")
    for problem in sorted({p for w in writers for p in w.problems})[:10]:
        print(f"  error: {problem}")
    return 1 if errors or stored < saved else 0


if __name__ == "__main__":
    sys.exit(main())
