"""Test helpers for the clinical core."""

from __future__ import annotations

from typing import Any

from dryneedling.clinical.intake import QUESTIONS


def base_answers(**overrides: Any) -> dict[str, Any]:
    """Required answers set to the least restrictive value, plus overrides."""
    raw: dict[str, Any] = {}
    for q in QUESTIONS:
        if q.required:
            raw[q.key] = "not_pregnant" if q.key == "pregnancy" else False
    raw.update(overrides)
    return raw
