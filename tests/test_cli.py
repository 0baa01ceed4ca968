from __future__ import annotations

import io
import json

import pytest

from dryneedling.accounts.models import AuditEvent, User
from dryneedling.cli import main


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
    assert north["patients"] == 30 and north["users"] == 1
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
