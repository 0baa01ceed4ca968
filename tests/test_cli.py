from __future__ import annotations

import io
import json

import pytest

from dryneedling.accounts.models import AuditEvent, User
from dryneedling.cli import main
from dryneedling.synthetic.treatment_gen import SYNTHETIC_CLINICIANS


def _run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.django_db
def test_createclinic_createuser_and_stats(capsys, monkeypatch):
    code, out, _ = _run(capsys, "createclinic", "--name", "North Clinic", "--slug", "north")
    assert code == 0 and json.loads(out)["slug"] == "north"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase 9\n"))
    code, out, _ = _run(
        capsys,
        "createuser",
        "--email",
        "Nia@North.test",
        "--name",
        "Nia",
        "--clinic",
        "north",
        "--role",
        "clinician",
        "--password-stdin",
    )
    assert code == 0
    assert User.objects.get(email="nia@north.test").check_password("a long enough passphrase 9")
    code, out, _ = _run(capsys, "seed", "--patients", "30", "--seed", "4", "--clinic", "north", "--quiet")
    assert code == 0 and json.loads(out)["patients"] == 30
    code, out, _ = _run(capsys, "stats")
    north = next(c for c in json.loads(out)["clinics"] if c["clinic"] == "north")
    # Nia and the synthetic clinicians who share the seeded courses with her (issue 12: one of them
    # has the planted doubled side-effect rate)
    assert north["patients"] == 30 and north["users"] == SYNTHETIC_CLINICIANS
    assert north["episodes"] >= 30 and north["episode_conditions"] >= north["episodes"]
    assert AuditEvent.objects.filter(action="synthetic.seed").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [
                "createuser",
                "--email",
                "x@y.test",
                "--name",
                "X",
                "--clinic",
                "nowhere",
                "--role",
                "clinician",
                "--password-stdin",
            ],
            "no clinic with slug 'nowhere'",
        ),
        (["seed", "--patients", "0"], "--patients must be at least 1"),
        (["seed", "--patients", "many"], "invalid int value"),
        (["createclinic", "--name", "X", "--slug", "has space"], "slug"),
        (["frobnicate"], "invalid choice"),
        (["createuser", "--email", "x@y.test"], "required"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, monkeypatch, argv, message):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase 9\n"))
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and message in err, err


@pytest.mark.django_db
def test_seeding_the_same_seed_twice_is_refused(capsys):
    assert _run(capsys, "seed", "--patients", "5", "--seed", "9", "--quiet")[0] == 0
    code, _, err = _run(capsys, "seed", "--patients", "5", "--seed", "9", "--quiet")
    assert code == 2 and "already holds synthetic patients of seed 9" in err


# -- dryneedling guardrails (issue 8) -------------------------------------------------------------------
def _plan_file(tmp_path, raw) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "plan.json"
    path.write_text(raw if isinstance(raw, str) else json.dumps(raw), encoding="utf-8")
    return str(path)


def _guardrails_plan(**insertion):  # type: ignore[no-untyped-def]
    from dryneedling.clinical.education import CONSENT_VERSION, consent_items

    ins = {"muscle": "upper_trapezius", "side": "left", "technique": "pistoning", "needle_length_mm": 30} | insertion
    items = [i.id for i in consent_items() if i.id != "chest_wall_neck"]
    return {"insertion": ins, "patient": {"sex": "female"}, "consent": {"version": CONSENT_VERSION, "items": items}}


def test_guardrails_prints_the_verdict_with_rule_ids_and_sources(capsys, tmp_path):
    code, out, err = _run(capsys, "guardrails", "--plan", _plan_file(tmp_path, _guardrails_plan()))
    assert code == 0 and not err
    assert out.startswith("Verdict: BLOCK")
    assert "GR-CONSENT-DECLINED" in out and "sources: hqca_2014" in out


def test_guardrails_json_shape(capsys, tmp_path):
    raw = _guardrails_plan(muscle="gastrocnemius", handling=None)
    raw["consent"]["items"].append("chest_wall_neck")
    code, out, _ = _run(capsys, "guardrails", "--plan", _plan_file(tmp_path, raw), "--json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"verdict", "reasons"} and data["verdict"] in ("allowed", "warn", "block")
    for reason in data["reasons"]:
        assert set(reason) == {"level", "rule_id", "message", "sources", "citations", "evidence"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read plan file"),
        ("{not json", "is not valid JSON"),
        ({"insertion": {}, "bogus": 1}, "plan field 'bogus': unknown key"),
        (
            {"insertion": {"muscle": "x", "side": "left", "technique": "static", "needle_length_mm": 30}},
            "unknown muscle",
        ),
        (
            {"insertion": {"muscle": "deltoid", "side": "left", "technique": "static", "needle_length_mm": "30"}},
            "expected a number",
        ),
    ],
)
def test_guardrails_bad_input_is_one_line_and_exit_2(capsys, tmp_path, content, message):
    path = str(tmp_path / "missing.json") if content is None else _plan_file(tmp_path, content)
    code, out, err = _run(capsys, "guardrails", "--plan", path)
    assert code == 2 and not out
    assert err.count("\n") == 1 and message in err, err


def test_each_server_instance_gets_its_own_gunicorn_control_socket(monkeypatch):
    """gunicorn's default control socket is shared by every instance on the machine (issue 9)."""
    import os

    from django.conf import settings

    from dryneedling import cli

    seen: list[list[str]] = []
    monkeypatch.setattr(cli.subprocess, "call", lambda argv: seen.append(argv) or 0)
    assert cli._gunicorn("127.0.0.1:0", 1) == 0
    argv = seen[0]
    socket = argv[argv.index("--control-socket") + 1]
    assert socket == str(settings.VAR_DIR / f"gunicorn-{os.getpid()}.ctl")


@pytest.mark.django_db
def test_demo_users_verify_with_the_code_demo_code_prints(capsys, monkeypatch, alice):
    from dryneedling.accounts.two_factor import two_factor_verify
    from dryneedling.demo import demo_two_factor

    monkeypatch.setenv("DRYNEEDLING_DEMO", "0")  # restored after the test (demo-code sets it)
    demo_two_factor(alice)
    demo_two_factor(alice)  # idempotent
    code, out, _ = _run(capsys, "demo-code")
    assert code == 0 and len(out.strip()) == 6
    assert two_factor_verify(user=alice, code=out.strip()) is not None
