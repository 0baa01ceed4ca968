"""403 and 404 answers leave one plain log line, no traceback, and no link token (issue 9)."""

from __future__ import annotations

import logging

import pytest


def _request_records(caplog):  # type: ignore[no-untyped-def]
    return [r for r in caplog.records if r.name == "django.request"]


@pytest.mark.django_db
def test_refusals_log_one_line_without_a_traceback(caplog, carol_client, bob_client, patient_a):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert carol_client.get(f"/patients/{patient_a.pk}/").status_code == 404
        assert bob_client.get(f"/patients/{patient_a.pk}/consent/").status_code == 403
    records = _request_records(caplog)
    assert len(records) == 2
    for record in records:
        assert record.exc_info is None and not record.exc_text
        assert "Traceback" not in caplog.text
        assert "Quimby" not in record.getMessage() and "Zelda" not in record.getMessage()


@pytest.mark.django_db
def test_link_tokens_stay_out_of_the_log(caplog, anon_client):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert anon_client.get("/c/secret-token-value/").status_code == 404
        assert anon_client.get("/h/secret-token-value/plan.pdf").status_code == 404
    messages = [r.getMessage() for r in _request_records(caplog)]
    assert messages and all("secret-token-value" not in m for m in messages)
    assert any("/c/…/" in m for m in messages)


def test_redaction_covers_request_lines_and_leaves_other_paths():
    from dryneedling.logfilter import redact_path

    assert redact_path('"GET /h/tok.en:x/plan.pdf HTTP/1.1" 404') == '"GET /h/…/plan.pdf HTTP/1.1" 404'
    assert redact_path("/clinic/sharps/3/") == "/clinic/sharps/3/"
