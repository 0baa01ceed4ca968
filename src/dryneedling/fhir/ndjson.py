"""FHIR Bulk Data NDJSON: one `<Type>.ndjson` file per resource type, one resource per line,
serialised with orjson and written in blocks (constant memory)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from pathlib import Path

import orjson

from dryneedling.accounts.models import Clinic

from .stream import by_type, checked_types, context

FLUSH = 1 << 20
"""Bytes of serialised resources gathered per write call."""


def write(
    clinic: Clinic,
    out_dir: Path | str,
    *,
    types: Iterable[str] | None = None,
    since: datetime | None = None,
    patient_ids: Collection[int] | None = None,
    before_type: Callable[[str], None] | None = None,
) -> list[tuple[str, Path, int]]:
    """Write the clinic's resources; returns (type, path, count) per type with at least one
    resource (a type with none leaves no file). `before_type` is called before each type is read
    (the Bulk Data runner renews its lease there, and stops by raising)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, Path, int]] = []
    dumps = orjson.dumps
    ctx = context(clinic, since=since, patient_ids=patient_ids)
    for resource_type in checked_types(types):
        if before_type is not None:
            before_type(resource_type)
        path = out / f"{resource_type}.ndjson"
        count = 0
        with path.open("wb") as f:
            buffer = bytearray()
            for resource in by_type(clinic, resource_type, ctx=ctx):
                buffer += dumps(resource)
                buffer += b"\n"
                count += 1
                if len(buffer) >= FLUSH:
                    f.write(buffer)
                    buffer.clear()
            f.write(buffer)
        if count:
            written.append((resource_type, path, count))
        else:
            path.unlink()
    return written
