"""Production settings fail closed and pass Django's deployment checklist."""

from __future__ import annotations

import os
import subprocess
import sys

PROD_ENV = {
    "SECRET_KEY": "x" * 30 + "-not-a-real-key-but-long-and-random-enough-9f8e7d6c5b4a",
    "ALLOWED_HOSTS": "clinic.example.org",
}


def _run(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DRYNEEDLING_TEST",
            "PYTEST_VERSION",
            "DEBUG",
            "DRYNEEDLING_DEMO",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "DATABASE_URL",
        }
    }
    clean |= {"DRYNEEDLING_VAR_DIR": str(tmp_path)} | env
    return subprocess.run(
        [sys.executable, "-m", "dryneedling.cli", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_refuses_to_start_without_secret_key(tmp_path):
    result = _run(["manage", "check"], {"ALLOWED_HOSTS": "clinic.example.org"}, tmp_path)
    assert result.returncode == 2
    assert "SECRET_KEY must be set" in result.stderr


def test_refuses_to_start_without_allowed_hosts(tmp_path):
    result = _run(["manage", "check"], {"SECRET_KEY": PROD_ENV["SECRET_KEY"]}, tmp_path)
    assert result.returncode == 2
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_check_deploy_passes_on_production_settings(tmp_path):
    result = _run(["manage", "check", "--deploy", "--fail-level", "WARNING"], PROD_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_demo_mode_keeps_its_own_secret_key(tmp_path):
    first = _run(["manage", "check"], {"DRYNEEDLING_DEMO": "1"}, tmp_path)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    _run(["manage", "check"], {"DRYNEEDLING_DEMO": "1"}, tmp_path)
    assert (tmp_path / "secret_key").read_text() == key


def test_bad_boolean_is_a_clear_error(tmp_path):
    result = _run(["manage", "check"], PROD_ENV | {"DEBUG": "maybe"}, tmp_path)
    assert result.returncode == 2
    assert "DEBUG must be true or false" in result.stderr


def _database_options(env: dict[str, str], tmp_path) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """settings.DATABASES['default'] as a fresh interpreter sees it under `env` (issue 14)."""
    import json

    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DRYNEEDLING_TEST", "PYTEST_VERSION"}}
    clean |= {"DRYNEEDLING_VAR_DIR": str(tmp_path), "DEBUG": "1"} | env
    code = (
        "import json; from dryneedling import settings; print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_sqlite_database_url_gets_the_same_durability_options_as_the_default_path(tmp_path):  # type: ignore[no-untyped-def]
    default = _database_options({}, tmp_path)
    named = _database_options({"DATABASE_URL": f"sqlite:///{tmp_path}/other.sqlite3"}, tmp_path)
    assert named["ENGINE"] == "django.db.backends.sqlite3" and named["NAME"] == f"{tmp_path}/other.sqlite3"
    assert named["OPTIONS"] == default["OPTIONS"]
    init = str(named["OPTIONS"]["init_command"])  # type: ignore[index]
    assert "journal_mode=WAL" in init and "synchronous=FULL" in init
    assert named["OPTIONS"]["transaction_mode"] == "IMMEDIATE" and named["OPTIONS"]["timeout"] == 20  # type: ignore[index]
