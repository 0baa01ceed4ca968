"""Billing data: the dataclasses and the loader of ``data/billing.yaml`` (validated, cached)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .. import _build
from .._reader import Entry, labelled, read_yaml, require
from ..bodychart import DATA_DIR
from ..knowledge import Knowledge, Source, get_knowledge, load_knowledge

if TYPE_CHECKING:
    from ._medicare import MedicareClaim

NEVER_BILL: frozenset[str] = frozenset({"97810", "97811", "97813", "97814", "20552", "20553"})
PAYERS: tuple[str, ...] = ("medicare", "commercial", "self_pay")
SIDES: tuple[str, ...] = ("left", "right", "midline")
APPLIES: tuple[str, ...] = ("cpt", "all", *PAYERS)
LEVELS: tuple[str, ...] = ("rule", "warning", "note")
REQUIRED_RULES: tuple[str, ...] = (
    "CPT-COUNT-MUSCLES",
    "CPT-LATERALITY",
    "CPT-NONE",
    "CPT-ANATOMICAL-MUSCLE",
    "CPT-GROUPED-UNNAMED",
    "BILL-DOCUMENTATION",
    "BILL-MEDICARE-NONCOVERED",
    "BILL-MEDICARE-CLBP",
    "MEDICARE-CLBP-COVERED",
    "MEDICARE-EXCLUDED",
    "MEDICARE-ABN-OPTION1",
    "MEDICARE-ABN-OPTION2",
    "MEDICARE-ABN-OPTION3",
    "BILL-COMMERCIAL",
    "BILL-SELF-PAY",
)
ANATOMICAL_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ICD10_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")
MAX_DIAGNOSES, MAX_POINTERS = 12, 4  # CMS-1500 items 21 (A-L) and 24E


@dataclass(frozen=True)
class BillingCode:
    code: str
    descriptor: str
    min_muscles: int
    max_muscles: int | None
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class BillingRule:
    id: str
    applies: str
    level: str
    message: str
    rationale: str | None
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class BillingData:
    """``sources``: billing.yaml's own plus the knowledge base's; ``never_bill`` and ``retired_icd10``: code -> why."""

    sources: Mapping[str, Source]
    codes: tuple[BillingCode, ...]
    never_bill: Mapping[str, str]
    retired_icd10: Mapping[str, str]
    rules: Mapping[str, BillingRule]
    identities: Mapping[str, tuple[str, ...]]
    """Knowledge-base muscle id -> the anatomical muscle(s) it is (every KB muscle; default: its own id)."""
    identities_declared: frozenset[str] = frozenset()
    """The KB muscle ids whose identity billing.yaml states (the rest default to their own id)."""

    def members(self, muscle_id: str) -> tuple[str, ...]:
        return self.identities.get(muscle_id, (muscle_id,))


def anatomical_name(anatomical_id: str) -> str:
    """``biceps_femoris`` -> ``Biceps femoris``."""
    return anatomical_id.replace("_", " ").capitalize()


@dataclass(frozen=True)
class CptResult:
    code: str | None
    muscle_count: int
    counted: tuple[tuple[str, str], ...]
    """The (anatomical muscle id, side) pairs counted, sorted; an unnamed grouped entry counts under its KB id."""
    rule_id: str
    explanation: str
    sources: tuple[str, ...]
    labels: tuple[str, ...] = ()
    """One label per ``counted`` pair, e.g. ``Trapezius (right)``."""
    rules_applied: tuple[str, ...] = ()
    """The counting rules used (ids in billing.yaml), shown with the count on the superbill."""


@dataclass(frozen=True)
class BillingNote:
    rule_id: str
    level: str  # "warning" or "note"
    message: str
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class SuperbillLine:
    code: str
    modifiers: tuple[str, ...]
    description: str
    units: int
    fee: Decimal | None  # None: the clinic has set no fee for the code
    diagnosis_pointers: tuple[str, ...]  # letters into Superbill.diagnoses (CMS-1500 item 24E), at most 4


@dataclass(frozen=True)
class Superbill:
    payer: str
    diagnoses: tuple[str, ...]
    lines: tuple[SuperbillLine, ...]
    total: Decimal | None  # None when a line has no fee set
    patient_estimate: Decimal | None  # self-pay only: the fee-schedule amount (None: no fee set)
    warnings: tuple[BillingNote, ...]
    notes: tuple[BillingNote, ...]
    medicare: MedicareClaim | None = None  # Medicare only: the modifier rule applied and the ABN's gaps


# -- data ---------------------------------------------------------------------------------------
def _described(e: Entry, describe: Callable[[Entry], str], cited: list[tuple[str, tuple[str, ...]]]) -> str:
    e.text("code")
    text = describe(e)
    cited.append((e.entry, e.sources()))
    e.evidence()
    e.finish()
    return text


def _code(e: Entry) -> BillingCode:
    item = BillingCode(
        code=e.text("code"),
        descriptor=e.text("descriptor"),
        min_muscles=e.integer("min_muscles") or 0,
        max_muscles=e.integer("max_muscles", required=False),
        sources=e.sources(),
        evidence=e.evidence(),
    )
    e.finish()
    return item


def _identities(top: Entry, knowledge: Knowledge) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Every KB muscle's anatomical identity: the declared one, else its own id (rule CPT-ANATOMICAL-MUSCLE)."""
    declared: dict[str, tuple[str, ...]] = {}
    for e in labelled(top, "identities", "muscle"):
        muscle = e.text("muscle")
        members = e.texts("anatomical", allow_empty=True)
        e.finish()
        if muscle not in knowledge.muscles:
            raise e.error("muscle", f"unknown knowledge-base muscle id '{muscle}'")
        if muscle in declared:
            raise e.error("muscle", "identity declared twice")
        if not members:
            raise e.error("anatomical", "a grouped entry must name its member muscles")
        bad = [m for m in members if not ANATOMICAL_ID_RE.match(m)]
        if bad:
            raise e.error("anatomical", f"'{bad[0]}' is not an id (lower case, digits and _)")
        declared[muscle] = members
    return {m: declared.get(m, (m,)) for m in knowledge.muscles}, frozenset(declared)


def load_billing(data_dir: Path | None = None, knowledge: Knowledge | None = None) -> BillingData:
    """Read and validate ``billing.yaml``; source ids resolve here or in the knowledge base's ``sources.yaml``."""
    knowledge = knowledge or (load_knowledge(data_dir) if data_dir else get_knowledge())
    path = (data_dir or DATA_DIR) / "billing.yaml"
    f, top = path.name, Entry(read_yaml(path), file=path.name, entry="-")
    known = dict(knowledge.sources)
    own: dict[str, Source] = {}
    for e in labelled(top, "sources", "id"):
        src = _build.build_source(e)
        require(src.id not in own and src.id not in known, f, src.id, "id", "duplicate source id")
        own[src.id] = src
    cited: list[tuple[str, tuple[str, ...]]] = []
    codes = tuple(sorted((_code(e) for e in labelled(top, "codes", "code")), key=lambda c: c.min_muscles))
    never = {
        e.entry: _described(e, lambda e: f"{e.text('descriptor')}: {e.text('reason')}", cited)
        for e in labelled(top, "never_bill", "code")
    }
    retired = {
        e.entry: _described(
            e, lambda e: f"{e.text('code')}: {e.text('reason')}; use {', '.join(e.texts('use_instead'))}", cited
        )
        for e in labelled(top, "retired_icd10", "code")
    }
    rules: dict[str, BillingRule] = {}
    for e in labelled(top, "rules", "id"):
        rule = BillingRule(
            id=e.text("id"),
            applies=e.choice("applies", APPLIES),
            level=e.choice("level", LEVELS),
            message=e.text("message"),
            rationale=e.opt_text("rationale"),
            sources=e.sources(),
            evidence=e.evidence(),
        )
        e.finish()
        require(rule.id not in rules, f, rule.id, "id", "duplicate id")
        rules[rule.id] = rule
    identities, declared = _identities(top, knowledge)
    top.finish()
    cited += [(c.code, c.sources) for c in codes] + [(r.id, r.sources) for r in rules.values()]
    for owner, ids in cited:
        for sid in ids:
            require(sid in own or sid in known, f, owner, "sources", f"unknown source id '{sid}'")
    unused = sorted(set(own) - {s for _, ids in cited for s in ids})
    require(not unused, f, unused[0] if unused else "-", "id", "source is never cited")
    require(set(never) == NEVER_BILL, f, "-", "never_bill", "must list exactly billing.NEVER_BILL")
    require(not {c.code for c in codes} & NEVER_BILL, f, "-", "codes", "a NEVER_BILL code is listed as billable")
    bounds = [(c.min_muscles, c.max_muscles) for c in codes]
    contiguous = (
        bool(bounds)
        and bounds[0][0] == 1
        and bounds[-1][1] is None
        and all(hi is not None and hi + 1 == nxt[0] for (_, hi), nxt in zip(bounds, bounds[1:], strict=False))
    )
    require(contiguous, f, "-", "codes", "muscle ranges must run from 1 upward without gaps or overlaps")
    missing = [r for r in REQUIRED_RULES if r not in rules]
    require(not missing, f, missing[0] if missing else "-", "id", "required rule is missing")
    return BillingData(
        sources=MappingProxyType({**known, **own}),
        codes=codes,
        never_bill=MappingProxyType(never),
        retired_icd10=MappingProxyType(retired),
        rules=MappingProxyType(rules),
        identities=MappingProxyType(identities),
        identities_declared=declared,
    )


@lru_cache(maxsize=1)
def get_billing() -> BillingData:
    """The packaged billing data, loaded once per process."""
    return load_billing()
