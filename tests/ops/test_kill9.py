"""kill -9 under concurrent writers (issue 14): gunicorn (2 workers) serving four API clients that
register patients is killed, whole process group, at a random moment (seeded); after each kill
every acknowledged write (a 201 with the patient's id) is in the database, SQLite's integrity
check is ok, and the restarted server serves them. On the engine under test, in CI on both."""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from dryneedling.accounts.api_tokens import api_token_create
from dryneedling.accounts.services import clinic_create, user_create
from tests.conftest import PASSWORD
from tests.ops.conftest import OpsDatabases

SEED = 14
TRIALS = 3
WRITERS = 4
SRC = Path(__file__).resolve().parents[2] / "src"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(var: Path, database: dict[str, Any]) -> dict[str, str]:
    """Production settings (not test mode), the dedicated database, rate limits out of the way."""
    env = {k: v for k, v in os.environ.items() if k not in ("DRYNEEDLING_TEST", "PYTEST_VERSION", "DATABASE_URL")}
    env.update(
        PYTHONPATH=f"{SRC}{os.pathsep}{SRC.parent}", DRYNEEDLING_VAR_DIR=str(var), SECRET_KEY="kill9-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1", DRYNEEDLING_HTTPS="0", FHIR_EXPORT_THREAD="0", LOG_LEVEL="WARNING",
        DRYNEEDLING_RATE_LIMITS="api-token=1000000/60",
    )  # fmt: skip
    if "postgresql" in database["ENGINE"]:
        d = database
        env["DATABASE_URL"] = f"postgres://{d['USER']}:{d['PASSWORD']}@{d['HOST']}:{d['PORT']}/{d['NAME']}"
    return env


class Server:
    def __init__(self, env: dict[str, str], var: Path) -> None:
        self.port = _free_port()
        argv = [sys.executable, "-m", "gunicorn", "tests.ops.warm_wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                "--workers", "2", "--preload", "--control-socket", str(var / "gunicorn.ctl")]  # fmt: skip
        # Its own process group (session): the kill takes the master and every worker at once.
        self.process = subprocess.Popen(  # noqa: S603
            argv, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:  # a worker's first request imports the views: slow on a busy machine
                urllib.request.urlopen(self.url + "/api/patients", timeout=30)  # noqa: S310 - local
            except urllib.error.HTTPError:
                return  # 401 without a token: a worker answered
            except OSError:
                time.sleep(0.1)
        self.kill9()
        raise AssertionError("gunicorn did not answer within 60 s")

    def kill9(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def _writer(url: str, token: str, tag: str, acknowledged: list[int], errors: list[str]) -> None:
    for n in range(100_000):
        body = {"given_name": f"Kay{tag}", "family_name": f"Nine{n}", "date_of_birth": "1980-01-01", "sex": "female"}
        request = urllib.request.Request(  # noqa: S310 - local
            url + "/api/patients", data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local
                acknowledged.append(int(json.loads(response.read())["id"]))
        except urllib.error.HTTPError as error:
            errors.append(f"{error.code}")  # an answer that is not 201: a bug, not the kill
            return
        except (OSError, http.client.HTTPException):
            return  # the server is gone (the kill): not acknowledged


def _trial(
    server: Server, token: str, tag: str, rng: random.Random, acknowledged: list[int], errors: list[str]
) -> None:
    """Writers at full speed; once they have been acknowledged a few times, kill -9 at a random moment."""
    threads = [
        threading.Thread(target=_writer, args=(server.url, token, f"{tag}x{w}", acknowledged, errors))
        for w in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    before = len(acknowledged)
    while len(acknowledged) < before + 5 and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, 0.5))
    server.kill9()
    for thread in threads:
        thread.join(30)


def _present(ops_db: OpsDatabases, database: dict[str, Any]) -> set[int]:
    if ops_db.engine == "sqlite":
        conn = sqlite3.connect(database["NAME"])  # read-write: recovers the WAL as the server would
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return {row[0] for row in conn.execute("SELECT id FROM patients_patient")}
        finally:
            conn.close()
    with ops_db.connect(database) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM patients_patient").fetchall()}


def _get(server: Server, token: str, patient_id: int) -> int:
    request = urllib.request.Request(  # noqa: S310 - local
        f"{server.url}/api/patients/{patient_id}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
        return int(json.loads(response.read())["id"])


def test_every_acknowledged_write_survives_kill_9(ops_db: OpsDatabases, tmp_path: Path) -> None:
    clinic = clinic_create(name="Kill Nine", slug="kill-nine")
    user = user_create(email="k9@k.test", full_name="Kay Nine", clinic=clinic, role="clinician", password=PASSWORD)
    token = api_token_create(actor=user, name="kill9", scope="write").plaintext
    var = tmp_path / "var"
    var.mkdir()
    database = ops_db.dedicated(var / "dryneedling.sqlite3")  # settings' default SQLite path in that var dir
    env = _env(var, database)
    rng = random.Random(SEED)
    acknowledged: list[int] = []
    errors: list[str] = []
    for trial in range(TRIALS):
        server = Server(env, var)  # from the second trial on: the restart on what the last kill left
        try:
            if acknowledged:
                assert _get(server, token, acknowledged[-1]) == acknowledged[-1]
            _trial(server, token, f"{trial}", rng, acknowledged, errors)
        finally:
            server.kill9()
        assert not errors, errors
        missing = set(acknowledged) - _present(ops_db, database)  # and SQLite's integrity check is ok
        assert not missing, f"trial {trial}: acknowledged but lost after kill -9: {sorted(missing)[:10]}"
    print(f"{ops_db.engine}: {TRIALS} kills, {len(acknowledged)} acknowledged writes, 0 lost")
