"""Two `dryneedling send-due` processes at the same moment send each reminder exactly once.

The processes run against a real database of their own: an SQLite file (WAL, IMMEDIATE
transactions) or, when the suite runs on PostgreSQL, a fresh database on the same server.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import uuid
from pathlib import Path

SETUP = """
from datetime import timedelta
from django.utils import timezone
from dryneedling.followup.models import CheckIn
from dryneedling.treatment.models import Session
now = timezone.now()
CheckIn.unscoped.all().delete()  # the seed writes its own (answered or past) check-ins
sessions = list(Session.unscoped.select_related("patient", "episode"))
rows = []
for session in sessions:
    patient = session.patient
    patient.email = f"patient{patient.pk}@example.test"
    patient.save(update_fields=["email"])
    for kind in ("soreness", "week_1", "week_4", "week_12"):
        rows.append(CheckIn(clinic=session.clinic, patient=patient, episode=session.episode, session=session,
                            kind=kind, due_at=now - timedelta(hours=1), expires_at=now + timedelta(days=2)))
CheckIn.unscoped.bulk_create(rows)
print(len(rows))
"""


def _database_env(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DRYNEEDLING_TEST"}}
    env |= {
        "DRYNEEDLING_DEMO": "1",
        "DRYNEEDLING_VAR_DIR": str(tmp_path),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return env, None
    import psycopg

    name = f"dn_senddue_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    return env, (url, name)


def _drop(database):  # type: ignore[no-untyped-def]
    if database is None:
        return
    import psycopg

    url, name = database
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env, *args: str) -> str:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-m", "dryneedling.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_concurrent_send_due_sends_each_reminder_once(tmp_path):
    env, database = _database_env(tmp_path)
    try:
        _run(env, "migrate")
        _run(env, "seed", "--patients", "150", "--seed", "3", "--quiet")
        setup = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + SETUP],
            env=env | {"DJANGO_SETTINGS_MODULE": "dryneedling.settings"},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        due = int(setup.stdout.strip().splitlines()[-1])
        assert due >= 1500
        command = [sys.executable, "-m", "dryneedling.cli", "send-due", "--limit", "100000"]
        # Output goes to files, not pipes: a runner blocked on a full pipe (the console email backend
        # prints every message) while the test waits on the other would hold its write lock.
        files = [(tmp_path / f"out{i}.txt", tmp_path / f"err{i}.txt") for i in range(2)]
        handles = [(out.open("w"), err.open("w")) for out, err in files]
        runners = [subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True) for out, err in handles]
        for runner in runners:
            runner.wait(timeout=300)
        for out, err in handles:
            out.close()
            err.close()
        # The first traceback, whole: its last lines alone do not say which statement failed.
        outputs = [(out.read_text(), err.read_text().partition("Traceback")[2][:6000]) for out, err in files]
        assert all(runner.returncode == 0 for runner in runners), outputs
        sent = [int(out.split('"sent": ')[1].split("}")[0]) for out, _ in outputs]
        assert sum(sent) == due, sent
        print("reminders sent by each runner:", sent)
        links = []
        for path in sorted((tmp_path / "mail").iterdir()):
            for chunk in path.read_text().split("-" * 79):
                if "Subject:" in chunk:
                    body = email.message_from_string(chunk.strip()).get_payload()
                    links += [word for word in body.split() if "/c/" in word]
        assert len(links) == due
        assert len(set(links)) == due  # one reminder per check-in, none twice
        again = _run(env, "send-due")
        assert '"sent": 0' in again
    finally:
        _drop(database)
