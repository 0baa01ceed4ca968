"""Races between real processes on a real database (an SQLite file with IMMEDIATE transactions, or
a fresh PostgreSQL database when the suite runs there), as tests/followup/test_send_due.py does:

- three processes book overlapping slots for one clinician at the same moment: no two kept
  appointments overlap (the clinician's row lock, then the overlap check, then the insert);
- two `dryneedling send-due` runs at the same moment send each appointment reminder once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.followup.test_send_due import _database_env, _drop, _run

SETUP = """
from datetime import time, timedelta
from django.utils import timezone
from dryneedling.accounts.services import clinic_create, user_create
from dryneedling.patients.services import patient_create
from dryneedling.scheduling.models import WorkingHours
from dryneedling.scheduling.services import appointment_types_seed
clinic = clinic_create(name="Race", slug="race")
person = dict(clinic=clinic, password="x", check_password_strength=False)
clinician = user_create(email="c@race.test", full_name="C", role="clinician", **person)
desk = user_create(email="d@race.test", full_name="D", role="front_desk", **person)
for day in range(7):
    WorkingHours.objects.create(clinic=clinic, clinician=clinician, weekday=day, starts=time(0), ends=time(23, 59))
appointment_types_seed(clinic=clinic)  # before the race: the runners race to book, not to seed the types
for i in range(3):
    born = timezone.now().date() - timedelta(days=9000)
    patient_create(actor=desk, mrn=f"R-{i}", given_name="R", family_name=f"P{i}", date_of_birth=born, sex="female",
                   email=f"r{i}@example.test", phone=f"+100{i}")
"""

RACE = """
import json, sys, time
from datetime import datetime, timedelta, UTC
import django
django.setup()
from django.core.exceptions import ValidationError
from dryneedling.accounts.models import User
from dryneedling.patients.models import Patient
from dryneedling.scheduling.services import appointment_book, appointment_types_seed
runner, start_at = int(sys.argv[1]), float(sys.argv[2])
desk = User.objects.get(email="d@race.test")
clinician = User.objects.get(email="c@race.test")
patient = Patient.objects.for_actor(desk).get(mrn=f"R-{runner}")
kind = next(t for t in appointment_types_seed(clinic=patient.clinic) if t.minutes == 30)
base = (datetime.now(UTC) + timedelta(days=2)).replace(hour=1, minute=0, second=0, microsecond=0)
while time.time() < start_at:
    time.sleep(0.001)
ok = refused = 0
for slot in range(30):
    # runners start 10 minutes apart: every booking overlaps the other runners' at that slot
    when = base + timedelta(minutes=30 * slot + 10 * runner)
    try:
        appointment_book(actor=desk, clinician=clinician, patient=patient, appointment_type=kind, starts_at=when)
        ok += 1
    except ValidationError:
        refused += 1
print(json.dumps({"ok": ok, "refused": refused}))
"""

CHECK = """
import json
from dryneedling.scheduling.models import Appointment
rows = sorted(Appointment.unscoped.values_list("starts_at", "ends_at"))
clashes = sum(1 for (s1, e1), (s2, e2) in zip(rows, rows[1:]) if s2 < e1)
print(json.dumps({"kept": len(rows), "clashes": clashes}))
"""


def _python(env, code: str, *args: str) -> str:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code, *args],
        env=env | {"DJANGO_SETTINGS_MODULE": "dryneedling.settings"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_concurrent_bookings_never_double_book_and_reminders_go_once(tmp_path):
    env, database = _database_env(tmp_path)
    env["SMS_BACKEND"] = "dryneedling.scheduling.sms.FileBackend"
    env["SMS_FILE_PATH"] = str(tmp_path / "sms")
    try:
        _run(env, "migrate")
        _python(env, SETUP + "\nprint('ready')")
        start_at = f"{time.time() + 4:.3f}"  # every runner is loaded before the start
        runners = [
            subprocess.Popen(
                [sys.executable, "-c", RACE, str(k), start_at],
                env=env | {"DJANGO_SETTINGS_MODULE": "dryneedling.settings"},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for k in range(3)
        ]
        outputs = [runner.communicate(timeout=300) for runner in runners]
        assert all(runner.returncode == 0 for runner in runners), outputs
        results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
        print("bookings kept / refused per runner:", results)
        check = json.loads(_python(env, CHECK))
        assert check["clashes"] == 0, check
        # How many survive depends on the interleaving (a kept booking at :10 blocks both :00 and
        # :20 of the neighbours), so only a floor: 90 attempts over 920 minutes keep at least 15.
        assert check["kept"] == sum(r["ok"] for r in results) >= 15
        assert sum(r["ok"] + r["refused"] for r in results) == 90
        assert sum(r["refused"] for r in results) >= 1  # the runners did meet

        # Two send-due runs at once; the bookings are two days ahead, so widen the window.
        env["APPOINTMENT_REMINDER_HOURS"] = "96"
        command = [sys.executable, "-m", "dryneedling.cli", "send-due", "--limit", "100000"]
        senders = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        sent_outputs = [sender.communicate(timeout=300) for sender in senders]
        assert all(sender.returncode == 0 for sender in senders), sent_outputs
        sent = [json.loads(out.strip().splitlines()[-1])["appointment_reminders"] for out, _ in sent_outputs]
        print("appointment reminders sent by each runner:", sent)
        assert sum(sent) == 2 * check["kept"]  # one email and one SMS each
        mails = "".join(p.read_text() for p in (tmp_path / "mail").iterdir())
        texts = "".join(p.read_text() for p in (tmp_path / "sms").iterdir())
        assert mails.count("Subject: Race: your appointment reminder") == check["kept"]
        assert texts.count("To: +100") == check["kept"]
        assert '"appointment_reminders": 0' in _run(env, "send-due")
    finally:
        _drop(database)
