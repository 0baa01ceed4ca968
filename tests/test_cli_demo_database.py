"""Every command finds the demo's database and settings without a variable (issue 10), and patient
links start with the address the server binds unless DRYNEEDLING_PUBLIC_URL says otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from dryneedling import cli

SETTINGS_PROBE = "from django.conf import settings; print(settings.PUBLIC_BASE_URL, settings.DEMO)"
HIDDEN = {
    "DRYNEEDLING_TEST",
    "PYTEST_VERSION",
    "DEBUG",
    "DRYNEEDLING_DEMO",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DRYNEEDLING_VAR_DIR",
    "DRYNEEDLING_PUBLIC_URL",
    "DJANGO_SETTINGS_MODULE",
}


def _last_line(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stdout.strip().splitlines()[-1].split()  # `manage shell` may print imports first


def _dryneedling(cwd, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """`dryneedling ...` run from a project directory as the README shows: no variables of ours."""
    clean = {k: v for k, v in os.environ.items() if k not in HIDDEN} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "dryneedling.cli", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_commands_run_against_the_demo_database_without_variables(tmp_path):
    demo = _dryneedling(tmp_path, "demo", "--no-serve", "--bind", "127.0.0.1:8765")
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert str(tmp_path / "var" / "dryneedling.sqlite3") in demo.stdout
    assert json.loads((tmp_path / "var" / "instance.json").read_text()) == {
        "demo": True,
        "public_url": "http://127.0.0.1:8765",
    }
    sent = _dryneedling(tmp_path, "send-due", "--limit", "5")
    assert sent.returncode == 0, sent.stderr[-2000:]
    assert {"sent", "response_figures_refreshed"} <= set(json.loads(sent.stdout))
    stats = _dryneedling(tmp_path, "stats")
    assert stats.returncode == 0, stats.stderr[-2000:]
    clinics = {c["clinic"]: c for c in json.loads(stats.stdout)["clinics"]}
    assert clinics["riverside"]["patients"] == 400
    code = _dryneedling(tmp_path, "demo-code")
    assert code.returncode == 0 and len(code.stdout.strip()) == 6
    probe = _dryneedling(tmp_path, "manage", "shell", "-c", SETTINGS_PROBE)
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert _last_line(probe) == ["http://127.0.0.1:8765", "True"]
    # The variable still wins over the recorded address.
    probe = _dryneedling(
        tmp_path, "manage", "shell", "-c", SETTINGS_PROBE, env={"DRYNEEDLING_PUBLIC_URL": "https://clinic.example.org/"}
    )
    assert _last_line(probe) == ["https://clinic.example.org", "True"]
    # A production environment (it has a SECRET_KEY) is never put in demo mode by the file.
    production = {"SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "clinic.example.org"}
    probe = _dryneedling(tmp_path, "manage", "shell", "-c", SETTINGS_PROBE, env=production)
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert _last_line(probe)[1] == "False"


def test_without_a_demo_the_commands_still_ask_for_production_settings(tmp_path):
    result = _dryneedling(tmp_path, "send-due")
    assert result.returncode == 2 and "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("localhost:9000", "http://localhost:9000"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),
        ("[::1]:8000", "http://[::1]:8000"),
        ("8001", "http://127.0.0.1:8001"),
        ("unix:/run/dn.sock", None),
        ("host:port", None),
    ],
)
def test_the_public_url_of_a_bind_address(bind, url):
    assert cli.public_url_for_bind(bind) == url


@pytest.mark.parametrize(
    ("configured", "expected"), [(None, "http://127.0.0.1:8123"), ("https://dn.example", "https://dn.example")]
)
def test_serve_sets_the_public_url_from_its_bind_unless_configured(
    monkeypatch, settings, tmp_path, configured, expected
):
    settings.VAR_DIR = tmp_path
    if configured:
        monkeypatch.setenv("DRYNEEDLING_PUBLIC_URL", configured)
    else:
        monkeypatch.delenv("DRYNEEDLING_PUBLIC_URL", raising=False)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)  # no collectstatic
    seen: list[str | None] = []
    monkeypatch.setattr(
        cli, "_gunicorn", lambda bind, workers: seen.append(os.environ.get("DRYNEEDLING_PUBLIC_URL")) or 0
    )
    assert cli.main(["serve", "--bind", "127.0.0.1:8123"]) == 0
    assert seen == [expected]  # what the gunicorn workers inherit
    recorded = tmp_path / "instance.json"
    if configured:
        assert not recorded.exists()
    else:
        assert json.loads(recorded.read_text()) == {"public_url": expected}
