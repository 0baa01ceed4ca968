"""deploy/compose.yaml and deploy/.env.example stay true to the app (issue 14). Docker is not
needed: the files are read as YAML and text. Every variable given to the app's containers is one
settings.py (or the backup script) reads; every variable settings.py reads is in .env.example;
every service restarts by itself or has a health check."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = (ROOT / "src" / "dryneedling" / "settings.py").read_text()
READ = re.compile(r'(?:os\.environ\.get\(|env_bool\(|env_list\(|os\.environ\[)\s*"([A-Z][A-Z0-9_]*)"')
SETTINGS_VARS = set(READ.findall(SETTINGS)) - {"PYTEST_VERSION"}  # pytest's own, set by pytest
SCRIPT_VARS = set(re.findall(r"\$\{([A-Z_]+)[:}]", (DEPLOY / "nightly-backup.sh").read_text()))


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _app_services(compose: dict) -> dict:  # type: ignore[type-arg]
    return {name: s for name, s in compose["services"].items() if s.get("image") == "dryneedling:local"}


def test_the_settings_module_reads_what_this_test_expects() -> None:
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DRYNEEDLING_HTTPS", "TIME_ZONE"} <= SETTINGS_VARS


def test_every_variable_given_to_the_app_is_one_it_reads() -> None:
    apps = _app_services(_compose())
    assert {"migrate", "app", "send-due", "backup"} <= set(apps)
    for name, service in apps.items():
        unknown = set(service.get("environment", {})) - SETTINGS_VARS - SCRIPT_VARS
        assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"
        assert service["env_file"] == ".env"


def test_env_example_lists_every_variable_the_app_reads_and_nothing_else() -> None:
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (DEPLOY / ".env.example").read_text(), re.MULTILINE))
    missing = SETTINGS_VARS - listed
    assert not missing, f"deploy/.env.example does not mention {sorted(missing)}"
    compose_level = {"DRYNEEDLING_DOMAIN", "POSTGRES_PASSWORD", "POSTGRES_DB", "POSTGRES_USER"}
    unread = listed - SETTINGS_VARS - SCRIPT_VARS - compose_level
    assert not unread, f"deploy/.env.example lists variables nothing reads: {sorted(unread)}"


def test_every_service_restarts_or_is_health_checked_and_postgres_keeps_fsync() -> None:
    compose = _compose()
    for name, service in compose["services"].items():
        if name == "migrate":  # the one-shot: the app waits for it to complete
            assert service["restart"] == "no"
            continue
        assert service.get("restart") == "unless-stopped" or "healthcheck" in service, name
    assert "/healthz" in " ".join(compose["services"]["app"]["healthcheck"]["test"])
    db = compose["services"]["db"]
    assert "fsync=on" in db["command"] and "fsync=off" not in " ".join(db["command"])
    assert "pgdata:/var/lib/postgresql/data" in db["volumes"]
    assert compose["services"]["backup"]["command"] == ["nightly-backup"]
    assert "dryneedling send-due" in " ".join(compose["services"]["send-due"]["command"])
    assert "reverse_proxy app:8000" in (DEPLOY / "Caddyfile").read_text()


def test_the_nightly_backup_uses_the_command_and_rotates() -> None:
    script = (DEPLOY / "nightly-backup.sh").read_text()
    assert "dryneedling backup --out" in script and "-mtime" in script and "-delete" in script


def test_the_app_image_carries_a_pg_dump_of_the_servers_major_version() -> None:
    """pg_dump refuses a server newer than itself: the nightly backup would fail every night."""
    server = re.match(r"postgres:(\d+)", _compose()["services"]["db"]["image"])
    assert server is not None
    assert f"postgresql-client-{server.group(1)}" in (DEPLOY / "Dockerfile").read_text()
