"""Dry-needling billing: CPT 20560/20561 from the muscles needled, and a superbill per payer.

Rules, code descriptors, payer notes and their sources live in ``data/billing.yaml``. The code is
derived from DISTINCT muscles, never from the number of insertions; the same muscle on both sides
counts twice (rule ``CPT-LATERALITY``, provisional [M]). Acupuncture (97810-97814) and trigger
point injection (20552/20553) codes are never produced (:data:`NEVER_BILL`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from ._cpt import Needled, derive_cpt
from ._data import (
    ICD10_RE,
    MAX_DIAGNOSES,
    MAX_POINTERS,
    NEVER_BILL,
    PAYERS,
    BillingCode,
    BillingData,
    BillingNote,
    BillingRule,
    CptResult,
    Superbill,
    SuperbillLine,
    anatomical_name,
    get_billing,
    load_billing,
)
from ._medicare import ABN_OPTIONS, Abn, MedicareClaim, abn_gaps, medicare_claim

__all__ = [
    "ABN_OPTIONS",
    "Abn",
    "MedicareClaim",
    "abn_gaps",
    "medicare_claim",
    "NEVER_BILL",
    "PAYERS",
    "BillingCode",
    "BillingData",
    "BillingNote",
    "BillingRule",
    "CptResult",
    "Superbill",
    "Needled",
    "SuperbillLine",
    "anatomical_name",
    "check_never_bill",
    "derive_cpt",
    "get_billing",
    "load_billing",
    "superbill_lines",
]


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
    abn: Abn | None = None,
    service_date: date | None = None,
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
    medicare = (
        medicare_claim(abn=abn, clbp_route=chronic_low_back_pain_medicare, service_date=service_date)
        if payer == "medicare"
        else None
    )
    line = SuperbillLine(
        code=cpt.code,
        modifiers=medicare.modifiers if medicare else (),
        description=codes[cpt.code].descriptor,
        units=1,
        fee=fee,
        diagnosis_pointers=tuple("ABCDEFGHIJKL"[i] for i in range(min(len(diagnoses), MAX_POINTERS))),
    )
    notes = [
        BillingNote(rule_id=r.id, level=r.level, message=r.message, sources=r.sources, evidence=r.evidence)
        for r in data.rules.values()
        if r.applies in ("all", payer)
        and r.id != ("BILL-MEDICARE-NONCOVERED" if chronic_low_back_pain_medicare else "BILL-MEDICARE-CLBP")
    ]
    if medicare is not None:
        r = medicare.rule
        notes.append(BillingNote(rule_id=r.id, level="note", message=r.message, sources=r.sources, evidence=r.evidence))
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
        medicare=medicare,
    )


def check_never_bill(lines: Iterable[SuperbillLine]) -> None:
    """Guard: raise if any line carries an acupuncture or trigger-point-injection code."""
    bad = sorted({ln.code for ln in lines} & NEVER_BILL)
    if bad:
        raise RuntimeError(f"refusing to bill {', '.join(bad)} for dry needling")
