"""Dry-needling billing: CPT 20560/20561 from the muscles needled, and a superbill per payer.

Rules, code descriptors, payer notes and their sources live in ``data/billing.yaml``. The code is
derived from DISTINCT muscles, never from the number of insertions; the same muscle on both sides
counts twice (rule ``CPT-LATERALITY``, provisional [M]). Acupuncture (97810-97814) and trigger
point injection (20552/20553) codes are never produced (:data:`NEVER_BILL`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from . import _build
from ._reader import Entry, read_yaml
from .bodychart import DATA_DIR
from .knowledge import Knowledge, KnowledgeError, Source, get_knowledge, load_knowledge

NEVER_BILL: frozenset[str] = frozenset({"97810", "97811", "97813", "97814", "20552", "20553"})
PAYERS: tuple[str, ...] = ("medicare", "commercial", "self_pay")
SIDES: tuple[str, ...] = ("left", "right", "midline")
APPLIES: tuple[str, ...] = ("cpt", "all", *PAYERS)
LEVELS: tuple[str, ...] = ("rule", "warning", "note")
REQUIRED_RULES: tuple[str, ...] = (
    "CPT-COUNT-MUSCLES",
    "CPT-LATERALITY",
    "CPT-NONE",
    "BILL-DOCUMENTATION",
    "BILL-MEDICARE-GX",
    "BILL-MEDICARE-CLBP",
    "BILL-COMMERCIAL",
    "BILL-SELF-PAY",
)
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


@dataclass(frozen=True)
class CptResult:
    code: str | None
    muscle_count: int
    counted: tuple[tuple[str, str], ...]  # the (muscle_id, side) pairs counted, sorted
    rule_id: str
    explanation: str
    sources: tuple[str, ...]


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
    fee: Decimal
    diagnosis_pointers: tuple[str, ...]  # letters into Superbill.diagnoses (CMS-1500 item 24E), at most 4


@dataclass(frozen=True)
class Superbill:
    payer: str
    diagnoses: tuple[str, ...]
    lines: tuple[SuperbillLine, ...]
    total: Decimal
    patient_estimate: Decimal | None  # self-pay only: the fee-schedule amount
    warnings: tuple[BillingNote, ...]
    notes: tuple[BillingNote, ...]


# -- data ---------------------------------------------------------------------------------------
def _items(top: Entry, key: str, id_field: str) -> list[Entry]:
    """Each item of a top-level list, labelled with its id (or code) for error messages."""
    labels = [(r, r.raw.get(id_field)) for r in top.subs(key)]
    return [Entry(r.raw, file=top.file, entry=i if isinstance(i, str) else "-") for r, i in labels]


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


def _check(ok: object, file: str, entry: str, field: str, problem: str) -> None:
    if not ok:
        raise KnowledgeError(file=file, entry=entry, field=field, problem=problem)


def load_billing(data_dir: Path | None = None, knowledge: Knowledge | None = None) -> BillingData:
    """Read and validate ``billing.yaml``; source ids resolve here or in the knowledge base's ``sources.yaml``."""
    knowledge = knowledge or (load_knowledge(data_dir) if data_dir else get_knowledge())
    path = (data_dir or DATA_DIR) / "billing.yaml"
    f, top = path.name, Entry(read_yaml(path), file=path.name, entry="-")
    known = dict(knowledge.sources)
    own: dict[str, Source] = {}
    for e in _items(top, "sources", "id"):
        src = _build.build_source(e)
        _check(src.id not in own and src.id not in known, f, src.id, "id", "duplicate source id")
        own[src.id] = src
    cited: list[tuple[str, tuple[str, ...]]] = []
    codes = tuple(sorted((_code(e) for e in _items(top, "codes", "code")), key=lambda c: c.min_muscles))
    never = {
        e.entry: _described(e, lambda e: f"{e.text('descriptor')}: {e.text('reason')}", cited)
        for e in _items(top, "never_bill", "code")
    }
    retired = {
        e.entry: _described(
            e, lambda e: f"{e.text('code')}: {e.text('reason')}; use {', '.join(e.texts('use_instead'))}", cited
        )
        for e in _items(top, "retired_icd10", "code")
    }
    rules: dict[str, BillingRule] = {}
    for e in _items(top, "rules", "id"):
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
        _check(rule.id not in rules, f, rule.id, "id", "duplicate id")
        rules[rule.id] = rule
    top.finish()
    cited += [(c.code, c.sources) for c in codes] + [(r.id, r.sources) for r in rules.values()]
    for owner, ids in cited:
        for sid in ids:
            _check(sid in own or sid in known, f, owner, "sources", f"unknown source id '{sid}'")
    unused = sorted(set(own) - {s for _, ids in cited for s in ids})
    _check(not unused, f, unused[0] if unused else "-", "id", "source is never cited")
    _check(set(never) == NEVER_BILL, f, "-", "never_bill", "must list exactly billing.NEVER_BILL")
    _check(not {c.code for c in codes} & NEVER_BILL, f, "-", "codes", "a NEVER_BILL code is listed as billable")
    bounds = [(c.min_muscles, c.max_muscles) for c in codes]
    contiguous = (
        bool(bounds)
        and bounds[0][0] == 1
        and bounds[-1][1] is None
        and all(hi is not None and hi + 1 == nxt[0] for (_, hi), nxt in zip(bounds, bounds[1:], strict=False))
    )
    _check(contiguous, f, "-", "codes", "muscle ranges must run from 1 upward without gaps or overlaps")
    missing = [r for r in REQUIRED_RULES if r not in rules]
    _check(not missing, f, missing[0] if missing else "-", "id", "required rule is missing")
    return BillingData(
        sources=MappingProxyType({**known, **own}),
        codes=codes,
        never_bill=MappingProxyType(never),
        retired_icd10=MappingProxyType(retired),
        rules=MappingProxyType(rules),
    )


@lru_cache(maxsize=1)
def get_billing() -> BillingData:
    """The packaged billing data, loaded once per process."""
    return load_billing()


# -- CPT ----------------------------------------------------------------------------------------
def _count(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Distinct (muscle, side); left and right count apart; midline only when the muscle has no sided record."""
    sides: dict[str, set[str]] = {}
    for muscle_id, side in pairs:
        sides.setdefault(muscle_id, set()).add(side)
    return tuple(sorted((m, s) for m, found in sides.items() for s in (found - {"midline"} or {"midline"})))


def derive_cpt(*, needled: Iterable[tuple[str, str]], knowledge: Knowledge | None = None) -> CptResult:
    """CPT code for one session from the (muscle_id, side) of every insertion (repeats allowed)."""
    knowledge = knowledge or get_knowledge()
    data = get_billing()
    pairs: list[tuple[str, str]] = []
    for item in needled:
        if not (isinstance(item, tuple) and len(item) == 2 and all(isinstance(v, str) for v in item)):
            raise ValueError(f"each needled item must be a (muscle_id, side) tuple, got {item!r}")
        if item[0] not in knowledge.muscles:
            raise ValueError(f"unknown muscle id {item[0]!r}")
        if item[1] not in SIDES:
            raise ValueError(f"side must be one of {', '.join(SIDES)}, got {item[1]!r}")
        pairs.append(item)
    counted = _count(pairs)
    n = len(counted)
    count_rule, side_rule = data.rules["CPT-COUNT-MUSCLES"], data.rules["CPT-LATERALITY"]
    if n == 0:
        rule = data.rules["CPT-NONE"]
        return CptResult(
            code=None, muscle_count=0, counted=(), rule_id=rule.id, explanation=rule.message, sources=rule.sources
        )
    code = next(c for c in data.codes if c.min_muscles <= n and (c.max_muscles is None or n <= c.max_muscles))
    names = ", ".join(f"{knowledge.muscles[m].name} ({s})" for m, s in counted)
    explanation = (
        f"{n} muscle{'s' if n > 1 else ''} counted from {len(pairs)} insertion record(s): {names}. "
        f"CPT {code.code}: {code.descriptor}. Counted by distinct muscle, never by insertion [{count_rule.evidence}]."
    )
    bilateral = sorted({m for m, s in counted if s != "midline" and (m, "left") in counted and (m, "right") in counted})
    merged = len({m for m, s in pairs if s == "midline"} - {m for m, s in counted if s == "midline"})
    if bilateral or merged:
        both = ", ".join(knowledge.muscles[m].name for m in bilateral)
        explanation += (
            (f" Needled on both sides, counted twice: {both}." if bilateral else "")
            + (f" {merged} midline record(s) merged into the sided record of the same muscle." if merged else "")
            + f" ({side_rule.id} [{side_rule.evidence}])"
        )
    extra = side_rule.sources if bilateral or merged else ()
    sources = tuple(dict.fromkeys(code.sources + count_rule.sources + extra))
    return CptResult(
        code=code.code,
        muscle_count=n,
        counted=counted,
        rule_id=f"CPT-{code.code}",
        explanation=explanation,
        sources=sources,
    )


# -- superbill ----------------------------------------------------------------------------------
def _diagnoses(icd10_codes: Sequence[str], data: BillingData) -> tuple[str, ...]:
    if isinstance(icd10_codes, str) or not isinstance(icd10_codes, Sequence):
        raise ValueError("icd10_codes must be a list of ICD-10-CM codes, not a single string")
    if not 1 <= len(icd10_codes) <= MAX_DIAGNOSES:
        raise ValueError(f"icd10_codes must hold 1 to {MAX_DIAGNOSES} codes, got {len(icd10_codes)}")
    out: list[str] = []
    for raw in icd10_codes:
        code = raw.strip().upper() if isinstance(raw, str) else ""
        if not ICD10_RE.match(code):
            raise ValueError(f"{raw!r} is not an ICD-10-CM code (expected e.g. M79.12)")
        if code in data.retired_icd10:
            raise ValueError(data.retired_icd10[code])
        if code in out:
            raise ValueError(f"duplicate ICD-10-CM code {code}")
        out.append(code)
    return tuple(out)


def _fee(code: str, fee_schedule: Mapping[str, Decimal]) -> Decimal:
    fee = fee_schedule.get(code)
    if not isinstance(fee, Decimal) or not fee.is_finite() or fee < 0:
        raise ValueError(f"fee_schedule needs a non-negative Decimal fee for CPT {code}, got {fee!r}")
    return fee


def superbill_lines(
    *,
    cpt: CptResult,
    icd10_codes: Sequence[str],
    payer: str,
    chronic_low_back_pain_medicare: bool,
    fee_schedule: Mapping[str, Decimal],
) -> Superbill:
    """One superbill for a dry-needling session: the CPT line, modifiers, fee, payer warnings and notes."""
    data = get_billing()
    if payer not in PAYERS:
        raise ValueError(f"unknown payer {payer!r} (expected one of {', '.join(PAYERS)})")
    if not isinstance(chronic_low_back_pain_medicare, bool):
        raise ValueError("chronic_low_back_pain_medicare must be True or False")
    if chronic_low_back_pain_medicare and payer != "medicare":
        raise ValueError("chronic_low_back_pain_medicare applies only when payer is 'medicare'")
    if cpt.code is None:
        raise ValueError("no muscles were needled: there is no dry-needling code to bill")
    codes = {c.code: c for c in data.codes}
    if cpt.code not in codes:
        raise ValueError(f"CPT {cpt.code} is not a dry-needling code (expected {', '.join(codes)})")
    diagnoses = _diagnoses(icd10_codes, data)
    fee = _fee(cpt.code, fee_schedule)
    line = SuperbillLine(
        code=cpt.code,
        modifiers=("GX",) if payer == "medicare" else (),
        description=codes[cpt.code].descriptor,
        units=1,
        fee=fee,
        diagnosis_pointers=tuple("ABCDEFGHIJKL"[i] for i in range(min(len(diagnoses), MAX_POINTERS))),
    )
    notes = [
        BillingNote(rule_id=r.id, level=r.level, message=r.message, sources=r.sources, evidence=r.evidence)
        for r in data.rules.values()
        if r.applies in ("all", payer) and (chronic_low_back_pain_medicare or r.id != "BILL-MEDICARE-CLBP")
    ]
    lines = (line,)
    check_never_bill(lines)
    return Superbill(
        payer=payer,
        diagnoses=diagnoses,
        lines=lines,
        total=sum((ln.fee * ln.units for ln in lines), Decimal(0)),
        patient_estimate=fee if payer == "self_pay" else None,
        warnings=tuple(n for n in notes if n.level == "warning"),
        notes=tuple(n for n in notes if n.level == "note"),
    )


def check_never_bill(lines: Iterable[SuperbillLine]) -> None:
    """Guard: raise if any line carries an acupuncture or trigger-point-injection code."""
    bad = sorted({ln.code for ln in lines} & NEVER_BILL)
    if bad:
        raise RuntimeError(f"refusing to bill {', '.join(bad)} for dry needling")
