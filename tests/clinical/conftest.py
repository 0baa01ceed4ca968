"""Shared fixtures for the Django-free clinical core."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dryneedling.clinical.bodychart import DATA_DIR
from dryneedling.clinical.knowledge import Knowledge, get_knowledge


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    return get_knowledge()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the packaged knowledge data."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
