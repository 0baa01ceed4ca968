"""Strict field readers for the YAML knowledge files.

Every failure raises :class:`KnowledgeError` naming the file, the entry and the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .model import EVIDENCE_TAGS, KnowledgeError


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(file=path.name, entry="-", field="-", problem=f"cannot read file ({exc})") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" near line {line + 1}" if line is not None else ""
        raise KnowledgeError(file=path.name, entry="-", field="-", problem=f"not valid YAML{where}") from exc


class Entry:
    """One mapping in a data file, read field by field; unknown fields are rejected."""

    def __init__(self, raw: Any, *, file: str, entry: str, prefix: str = "") -> None:
        self.file = file
        self.entry = entry
        self.prefix = prefix
        if not isinstance(raw, dict):
            raise self.error("-" if not prefix else prefix.rstrip("."), "expected a mapping")
        self.raw: dict[str, Any] = raw
        self.seen: set[str] = set()

    # -- errors ------------------------------------------------------------------
    def error(self, field: str, problem: str) -> KnowledgeError:
        return KnowledgeError(file=self.file, entry=self.entry, field=f"{self.prefix}{field}", problem=problem)

    def finish(self) -> None:
        extra = sorted(set(self.raw) - self.seen)
        if extra:
            raise self.error(str(extra[0]), "unknown field")

    # -- primitive readers --------------------------------------------------------
    def _get(self, name: str, required: bool) -> Any:
        self.seen.add(name)
        value = self.raw.get(name)
        if value is None and required:
            raise self.error(name, "missing required field")
        return value

    def text(self, name: str) -> str:
        value = self._get(name, True)
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, "expected a non-empty string")
        return value.strip()

    def opt_text(self, name: str) -> str | None:
        value = self._get(name, False)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, "expected a non-empty string")
        return value.strip()

    def choice(self, name: str, allowed: tuple[str, ...]) -> str:
        value = self.text(name)
        if value not in allowed:
            raise self.error(name, f"'{value}' is not one of {', '.join(allowed)}")
        return value

    def opt_choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.opt_text(name)
        if value is not None and value not in allowed:
            raise self.error(name, f"'{value}' is not one of {', '.join(allowed)}")
        return value

    def number(self, name: str, *, required: bool = True) -> float | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(name, "expected a number")
        return float(value)

    def integer(self, name: str, *, required: bool = True) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, "expected an integer")
        return int(value)

    def flag(self, name: str, *, default: bool = False) -> bool:
        value = self._get(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(name, "expected true or false")
        return value

    def texts(self, name: str, *, required: bool = True, allow_empty: bool = False) -> tuple[str, ...]:
        value = self._get(name, required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(name, "expected a list of non-empty strings")
        if not value and not allow_empty:
            raise self.error(name, "expected at least one item")
        if len(set(value)) != len(value):
            raise self.error(name, "duplicate items")
        return tuple(v.strip() for v in value)

    def number_range(self, name: str, *, required: bool = True) -> tuple[float, float] | None:
        value = self._get(name, required)
        if value is None:
            return None
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        )
        if not ok or value[0] > value[1] or value[0] <= 0:
            raise self.error(name, "expected [low, high] with 0 < low <= high")
        return (float(value[0]), float(value[1]))

    def evidence(self, name: str = "evidence") -> str:
        return self.choice(name, EVIDENCE_TAGS)

    def sources(self, name: str = "sources") -> tuple[str, ...]:
        return self.texts(name)

    # -- nested -------------------------------------------------------------------
    def sub(self, name: str) -> Entry:
        value = self._get(name, True)
        return Entry(value, file=self.file, entry=self.entry, prefix=f"{self.prefix}{name}.")

    def subs(self, name: str, *, required: bool = True) -> Iterator[Entry]:
        value = self._get(name, required)
        if value is None:
            return iter(())
        if not isinstance(value, list) or (required and not value):
            raise self.error(name, "expected a non-empty list")
        return (
            Entry(item, file=self.file, entry=self.entry, prefix=f"{self.prefix}{name}[{i}].")
            for i, item in enumerate(value)
        )

    def raw_value(self, name: str, *, required: bool = True) -> Any:
        return self._get(name, required)


def labelled(top: Entry, key: str, id_field: str = "id") -> list[Entry]:
    """Each item of the list ``top[key]``, labelled with its id (or ``id_field``) for error messages."""
    labels = [(r, r.raw.get(id_field)) for r in top.subs(key)]
    return [Entry(r.raw, file=top.file, entry=i if isinstance(i, str) else "-") for r, i in labels]


def require(ok: object, file: str, entry: str, field: str, problem: str) -> None:
    """Raise a KnowledgeError naming file, entry and field unless ``ok``."""
    if not ok:
        raise KnowledgeError(file=file, entry=entry, field=field, problem=problem)


def entries(path: Path, doc: Any, key: str) -> Iterator[Entry]:
    """Yield each entry of the list ``doc[key]``, checking ids are present and unique."""
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        raise KnowledgeError(file=path.name, entry="-", field=key, problem="expected a top-level list")
    extra = sorted(set(doc) - {key})
    if extra:
        raise KnowledgeError(file=path.name, entry="-", field=str(extra[0]), problem="unknown top-level field")
    seen: set[str] = set()
    for index, raw in enumerate(doc[key]):
        ident = raw.get("id") if isinstance(raw, dict) else None
        label = ident if isinstance(ident, str) and ident else f"#{index + 1}"
        entry = Entry(raw, file=path.name, entry=label)
        ident = entry.text("id")
        if ident in seen:
            raise entry.error("id", "duplicate id")
        seen.add(ident)
        yield entry
