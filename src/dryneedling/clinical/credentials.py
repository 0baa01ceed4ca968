"""Clinician credentials against the clinic's jurisdiction (pure rules; data in ``jurisdictions.yaml``).

:func:`credential_problems` returns blocks (never warnings): a clinician who lacks what the
jurisdiction requires cannot start a session or needle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from ._reader import Entry, labelled, read_yaml
from .bodychart import DATA_DIR
from .knowledge import Knowledge, KnowledgeError, get_knowledge, load_knowledge
from .safety._types import Guardrail

PROFESSIONS: tuple[str, ...] = (
    "physical_therapist",
    "physician",
    "chiropractor",
    "acupuncturist",
    "athletic_trainer",
    "other",
)
SCOPES: tuple[str, ...] = ("allowed", "not_permitted", "unknown")


@dataclass(frozen=True)
class Jurisdiction:
    id: str
    label: str
    physical_therapists: str
    min_training_hours: float | None
    note: str | None
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class ClinicPolicy:
    min_training_hours: float
    note: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class CredentialData:
    policy: ClinicPolicy
    jurisdictions: Mapping[str, Jurisdiction]


def load_credentials(data_dir: Path | None = None, knowledge: Knowledge | None = None) -> CredentialData:
    """Read and validate ``jurisdictions.yaml`` (every source id must exist in the knowledge base)."""
    knowledge = knowledge or (load_knowledge(data_dir) if data_dir else get_knowledge())
    path = (data_dir or DATA_DIR) / "jurisdictions.yaml"
    top = Entry(read_yaml(path), file=path.name, entry="-")
    p = top.sub("clinic_policy")
    policy = ClinicPolicy(
        min_training_hours=float(p.number("min_training_hours") or 0),
        note=p.text("note"),
        sources=p.sources(),
        evidence=p.evidence(),
    )
    p.finish()
    _check_sources(p, policy.sources, knowledge)
    found: dict[str, Jurisdiction] = {}
    for e in labelled(top, "jurisdictions"):
        item = Jurisdiction(
            id=e.text("id"),
            label=e.text("label"),
            physical_therapists=e.choice("physical_therapists", SCOPES),
            min_training_hours=e.number("min_training_hours", required=False),
            note=e.opt_text("note"),
            sources=e.sources(),
            evidence=e.evidence(),
        )
        e.finish()
        if item.id in found:
            raise e.error("id", "duplicate id")
        _check_sources(e, item.sources, knowledge)
        found[item.id] = item
    top.finish()
    if "generic" not in found:
        raise KnowledgeError(file=path.name, entry="generic", field="jurisdictions", problem="is required")
    return CredentialData(policy=policy, jurisdictions=MappingProxyType(found))


def _check_sources(e: Entry, ids: tuple[str, ...], knowledge: Knowledge) -> None:
    for sid in ids:
        if sid not in knowledge.sources:
            raise e.error("sources", f"unknown source id '{sid}'")


@lru_cache(maxsize=1)
def get_credentials() -> CredentialData:
    return load_credentials()


JURISDICTIONS: Mapping[str, str] = MappingProxyType({j.id: j.label for j in get_credentials().jurisdictions.values()})
"""Jurisdiction id -> label (for the clinic settings form)."""


def _block(rule_id: str, message: str, sources: tuple[str, ...], evidence: str) -> Guardrail:
    return Guardrail(
        level="block",
        rule_id=rule_id,
        message=message,
        sources=sources,
        evidence=evidence,
        citations=get_knowledge().cite(sources),
    )


def credential_problems(*, jurisdiction: str, profession: str | None, training_hours: float) -> tuple[Guardrail, ...]:
    """Why this clinician may not dry needle in this jurisdiction (empty: nothing found against it)."""
    data = get_credentials()
    j = data.jurisdictions.get(jurisdiction)
    if j is None:
        raise ValueError(f"unknown jurisdiction {jurisdiction!r} (known: {', '.join(data.jurisdictions)})")
    if profession is not None and profession not in PROFESSIONS:
        raise ValueError(f"profession must be one of {', '.join(PROFESSIONS)}")
    if training_hours < 0:
        raise ValueError("training_hours must not be negative")
    found: list[Guardrail] = []
    if profession is None:
        found.append(_block("CRED-PROFESSION", "Record the clinician's profession before needling.", j.sources, "M"))
    elif profession == "physical_therapist" and j.physical_therapists == "not_permitted":
        found.append(
            _block(
                "CRED-SCOPE",
                f"{j.label}: dry needling is not permitted for physical therapists.",
                j.sources,
                j.evidence,
            )
        )
    policy = data.policy
    if training_hours < policy.min_training_hours:
        found.append(
            _block(
                "CRED-TRAINING-POLICY",
                f"No documented dry-needling training ({training_hours:g} h). {policy.note}",
                policy.sources,
                policy.evidence,
            )
        )
    required = j.min_training_hours
    if profession == "physical_therapist" and required is not None and training_hours < required:
        found.append(
            _block(
                "CRED-TRAINING-HOURS",
                f"{j.label} requires at least {required:g} hours of dry-needling training for physical "
                f"therapists; {training_hours:g} h are recorded." + (f" {j.note}" if j.note else ""),
                j.sources,
                j.evidence,
            )
        )
    return tuple(found)
