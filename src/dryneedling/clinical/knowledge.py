"""Load the clinical knowledge base from ``data/*.yaml`` into immutable, typed objects.

A broken file fails loudly with :class:`KnowledgeError`, whose message names the file,
the entry and the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from . import _build
from ._integrity import GUARDRAIL_KINDS, check_integrity
from ._reader import Entry, entries, read_yaml
from .bodychart import DATA_DIR, load_chart
from .model import (
    EVIDENCE_LABELS,
    EVIDENCE_TAGS,
    Condition,
    Contraindication,
    EvidenceFigure,
    EvidenceStatement,
    GuardrailRule,
    IcdCode,
    Knowledge,
    KnowledgeError,
    Muscle,
    NeedleSpec,
    Rate,
    SideEffect,
    Source,
    TriggerPoint,
    TypicalCourse,
)
from .rules import build_rule

__all__ = [
    "EVIDENCE_LABELS",
    "EVIDENCE_TAGS",
    "Condition",
    "Contraindication",
    "EvidenceFigure",
    "EvidenceStatement",
    "GuardrailRule",
    "IcdCode",
    "Knowledge",
    "KnowledgeError",
    "Muscle",
    "NeedleSpec",
    "Rate",
    "SideEffect",
    "Source",
    "TriggerPoint",
    "TypicalCourse",
    "get_knowledge",
    "load_knowledge",
]

T = TypeVar("T")
VERSION_RE = re.compile(r"^\d{4}\.\d{2}\.\d+$")


def _load_list(
    paths: Iterable[Path], key: str, build: Callable[[Entry], T], origin: dict[str, str] | None = None
) -> dict[str, T]:
    items: dict[str, T] = {}
    for path in paths:
        for entry in entries(path, read_yaml(path), key):
            if entry.entry in items:
                raise entry.error("id", "duplicate id (also defined in another file)")
            items[entry.entry] = build(entry)
            if origin is not None:
                origin[entry.entry] = path.name
    return items


def _version(data_dir: Path) -> str:
    path = data_dir / "knowledge.yaml"
    top = Entry(read_yaml(path), file=path.name, entry="-")
    version = top.text("version")
    top.text("description")
    top.finish()
    if not VERSION_RE.match(version):
        raise top.error("version", f"'{version}' is not of the form YYYY.MM.N")
    return version


def load_knowledge(data_dir: Path | None = None) -> Knowledge:
    """Read and validate every knowledge file in ``data_dir`` (default: the packaged data)."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    muscle_files = sorted(data_dir.glob("muscles*.yaml"))
    if not muscle_files:
        raise KnowledgeError(file="muscles*.yaml", entry="-", field="-", problem="no muscle files found")
    rules_path = data_dir / "screening_rules.yaml"
    rules = [build_rule(entry) for entry in entries(rules_path, read_yaml(rules_path), "rules")]
    origin: dict[str, str] = {}
    knowledge = Knowledge(
        version=_version(data_dir),
        sources=MappingProxyType(_load_list([data_dir / "sources.yaml"], "sources", _build.build_source)),
        muscles=MappingProxyType(_load_list(muscle_files, "muscles", _build.build_muscle, origin)),
        conditions=MappingProxyType(_load_list([data_dir / "conditions.yaml"], "conditions", _build.build_condition)),
        contraindications=MappingProxyType(
            _load_list([data_dir / "contraindications.yaml"], "contraindications", _build.build_contraindication)
        ),
        side_effects=MappingProxyType(
            _load_list([data_dir / "side_effects.yaml"], "side_effects", _build.build_side_effect)
        ),
        evidence=MappingProxyType(_load_list([data_dir / "evidence.yaml"], "evidence", _build.build_evidence)),
        screening_rules=tuple(rules),
        guardrails=MappingProxyType(
            _load_list(
                [data_dir / "guardrails.yaml"],
                "guardrails",
                lambda e: _build.build_guardrail(e, tuple(GUARDRAIL_KINDS)),
            )
        ),
        data_dir=data_dir,
    )
    check_integrity(knowledge, load_chart(data_dir), origin)
    return knowledge


@lru_cache(maxsize=1)
def get_knowledge() -> Knowledge:
    """The packaged knowledge base, loaded once per process."""
    return load_knowledge()
