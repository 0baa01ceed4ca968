"""Plain-text templates (emails, SMS) are not HTML: a patient called O'Brien must not arrive as
O&#x27;Brien. Every .txt template turns autoescaping off, or has no variables to escape."""

from __future__ import annotations

import pathlib

import dryneedling

TEMPLATES = pathlib.Path(dryneedling.__file__).parent / "templates"


def test_every_plain_text_template_with_variables_turns_autoescape_off() -> None:
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.txt")
        if "{{" in path.read_text() and not path.read_text().lstrip().startswith("{% autoescape off %}")
    ]
    assert not offenders, offenders


def test_the_check_in_reminder_keeps_an_apostrophe() -> None:
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    check_in = SimpleNamespace(
        patient=SimpleNamespace(given_name="Siobhán O'Brien & Co"), kind="soreness", expires_at=None
    )
    text = render_to_string(
        "followup/email_reminder.txt", {"check_in": check_in, "clinic": {"name": "A & B"}, "link": "x"}
    )
    assert "Siobhán O'Brien & Co" in text and "A & B" in text
