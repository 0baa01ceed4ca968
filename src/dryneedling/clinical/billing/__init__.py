"""Dry-needling billing: CPT 20560/20561 from the muscles needled, and a superbill per payer.

Rules, code descriptors, payer notes and their sources live in ``data/billing.yaml``. The code is
derived from DISTINCT muscles, never from the number of insertions; the same muscle on both sides
counts twice (rule ``CPT-LATERALITY``, provisional [M]). Acupuncture (97810-97814) and trigger
point injection (20552/20553) codes are never produced (:data:`NEVER_BILL`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from ..knowledge import Knowledge, get_knowledge
from ._data import (
    ICD10_RE,
    MAX_DIAGNOSES,
    MAX_POINTERS,
    NEVER_BILL,
    PAYERS,
    SIDES,
    BillingCode,
    BillingData,
    BillingNote,
    BillingRule,
    CptResult,
    Superbill,
    SuperbillLine,
    get_billing,
    load_billing,
)

__all__ = [
    "NEVER_BILL",
    "PAYERS",
    "BillingCode",
    "BillingData",
    "BillingNote",
    "BillingRule",
    "CptResult",
    "Superbill",
    "SuperbillLine",
    "check_never_bill",
    "derive_cpt",
    "get_billing",
    "load_billing",
    "superbill_lines",
]


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


def _fee(code: str, fee_schedule: Mapping[str, Decimal | None]) -> Decimal | None:
    """The clinic's fee for `code`; None when the schedule says explicitly that no fee is set
    (the superbill then says so rather than inventing an amount). A missing key is an error."""
    if code in fee_schedule and fee_schedule[code] is None:
        return None
    fee = fee_schedule.get(code)
    if not isinstance(fee, Decimal) or not fee.is_finite() or fee < 0:
        raise ValueError(f"fee_schedule needs a fee for CPT {code}: a non-negative Decimal, or None; got {fee!r}")
    return fee


def superbill_lines(
    *,
    cpt: CptResult,
    icd10_codes: Sequence[str],
    payer: str,
    chronic_low_back_pain_medicare: bool,
    fee_schedule: Mapping[str, Decimal | None],
) -> Superbill:
    """One superbill for a dry-needling session: the CPT line, modifiers, fee, payer warnings and notes.

    ``fee_schedule`` maps each CPT code to the clinic's fee, or to None when the clinic has set no
    fee: the line's fee, the total and the self-pay estimate are then None ("no fee set")."""
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
    priced = [ln.fee * ln.units for ln in lines if ln.fee is not None]
    return Superbill(
        payer=payer,
        diagnoses=diagnoses,
        lines=lines,
        total=sum(priced, Decimal(0)) if len(priced) == len(lines) else None,
        patient_estimate=fee if payer == "self_pay" else None,
        warnings=tuple(n for n in notes if n.level == "warning"),
        notes=tuple(n for n in notes if n.level == "note"),
    )


def check_never_bill(lines: Iterable[SuperbillLine]) -> None:
    """Guard: raise if any line carries an acupuncture or trigger-point-injection code."""
    bad = sorted({ln.code for ln in lines} & NEVER_BILL)
    if bad:
        raise RuntimeError(f"refusing to bill {', '.join(bad)} for dry needling")
