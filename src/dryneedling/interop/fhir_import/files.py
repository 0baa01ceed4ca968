"""Reading the files of an import: which files a path names, in what order, and their resources
with where each one stands (an NDJSON line; a Bundle's entry index and the line it begins on)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Dependency order: a resource is written after those it refers to. Organization is the clinic
# itself (read, never written); Practitioner resolves to a clinician of the clinic.
RANK = {
    "OperationOutcome": 0,  # a searchset's messages about the search
    "Organization": 0,
    "Practitioner": 0,
    "Patient": 1,
    "EpisodeOfCare": 2,
    "Condition": 3,
    "Observation": 4,
    "Appointment": 4,
}
BUNDLE_TYPES = ("collection", "transaction", "batch", "searchset")
SUFFIXES = (".json", ".ndjson")
NESTED = "not JSON this import reads (nested too deeply)"


class FileProblem(Exception):
    """What is wrong with a file, and on which line (None: the file as a whole)."""

    def __init__(self, message: str, line: int | None = None, where: str = "") -> None:
        super().__init__(message)
        self.line, self.where = line, where


@dataclass
class Entry:
    resource: dict[str, Any]
    line: int
    index: int | None = None  # a Bundle's entry index
    full_url: str = ""

    @property
    def type(self) -> str:
        return str(self.resource.get("resourceType", ""))

    @property
    def where(self) -> str:
        """How an error names the resource after FILE:LINE (a Bundle's: its entry index too)."""
        return f"entry {self.index} ({self.type}): " if self.index is not None else f"{self.type}: "


def files_of(path: Path) -> list[Path]:
    """The files a path names: itself, or a directory's .json and .ndjson files (not its
    subdirectories) in dependency order: a file after the files holding what it refers to."""
    if not path.exists():
        raise FileNotFoundError(f"No such file or directory: {path}")
    if path.is_file():
        return [path]
    found = [p for p in path.iterdir() if p.is_file() and p.suffix in SUFFIXES]
    return sorted(found, key=lambda p: (_rank_of(p), p.name))


def _rank_of(path: Path) -> int:
    """The highest rank of the types a file holds: the bulk-data name <Type>.ndjson says it;
    other files are read for their types (an unreadable file sorts last and fails when read)."""
    if path.suffix == ".ndjson" and path.stem in RANK:
        return RANK[path.stem]
    try:
        types = {entry.type for entry in read(path)}
    except (FileProblem, OSError, UnicodeDecodeError):
        return max(RANK.values()) + 1
    return max((RANK.get(t, 0) for t in types), default=0)


def read(path: Path) -> list[Entry]:
    """The resources of one file: a Bundle (JSON) or NDJSON (one resource a line)."""
    text = path.read_text(encoding="utf-8-sig")  # a byte order mark some Windows tools write is no JSON
    if path.suffix == ".ndjson":
        return list(_ndjson(text))
    return _bundle(text)


def _ndjson(text: str) -> Iterator[Entry]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            resource = json.loads(line)
        except ValueError as error:
            raise FileProblem(f"not JSON ({error.args[0].split(':')[0]})", number) from None
        except RecursionError:
            raise FileProblem(NESTED, number) from None
        if not isinstance(resource, dict) or "resourceType" not in resource:
            raise FileProblem("a line holds one FHIR resource (a JSON object with resourceType)", number)
        yield Entry(resource=resource, line=number)


def _bundle(text: str) -> list[Entry]:
    try:
        bundle = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(f"not JSON ({error.msg})", error.lineno) from None
    except RecursionError:
        raise FileProblem(NESTED, 1) from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FileProblem("a .json file holds one Bundle (NDJSON files end in .ndjson)", 1)
    if bundle.get("type") not in BUNDLE_TYPES:
        raise FileProblem(f"a Bundle of type {bundle.get('type')!r}: imported are {', '.join(BUNDLE_TYPES)}", 1)
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise FileProblem("the Bundle's entry is not a list", 1)
    lines = _entry_lines(text)
    found = []
    for index, item in enumerate(entries):
        line = lines[index] if index < len(lines) else 1
        resource = item.get("resource") if isinstance(item, dict) else None
        if not isinstance(resource, dict) or "resourceType" not in resource:
            raise FileProblem(f"entry {index} holds no resource", line)
        found.append(Entry(resource=resource, line=line, index=index, full_url=str(item.get("fullUrl") or "")))
    return found


def _entry_lines(text: str) -> list[int]:
    """The line on which each element of the Bundle's top-level "entry" array begins: a scan of the
    JSON text that skips strings and counts depth (json gives values, not positions)."""
    lines: list[int] = []
    depth, line, key, in_entries, position = 0, 1, "", False, 0
    length = len(text)
    while position < length:
        char = text[position]
        if char == "\n":
            line += 1
        elif char == '"':
            end = position + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if depth == 1:
                key = text[position + 1 : end]
            position = end
        elif char in "{[":
            if in_entries and depth == 2:
                lines.append(line)
            depth += 1
            if depth == 2 and char == "[" and key == "entry":
                in_entries = True
        elif char in "}]":
            depth -= 1
            if depth == 1:
                in_entries = False
        position += 1
    return lines
