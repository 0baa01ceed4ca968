"""Medicare claim modifiers for dry needling from the ABN on file and the coverage route.

Rules (ids and sources in ``data/billing.yaml``):

* MEDICARE-CLBP-COVERED -- the chronic-low-back-pain route of NCD 30.3.3 is a covered service:
  no GX, no GY.
* Otherwise dry needling is not a Medicare benefit (2020 physician fee schedule): the line carries GY
  (item or service statutorily excluded or not a Medicare benefit; no ABN is required) --
  MEDICARE-EXCLUDED.
* MEDICARE-ABN-OPTION1 -- a voluntary ABN (form CMS-R-131) issued, dated on or before the date of
  service, signed, with option 1 (bill Medicare, the patient pays if it does not): GX (notice of
  liability issued, voluntary under payer policy) together with GY.
* MEDICARE-ABN-OPTION2 -- option 2: the patient asked that Medicare not be billed: no claim.
* MEDICARE-ABN-OPTION3 -- option 3: the patient declined the service, which contradicts a needled
  session: no claim, and a problem to resolve.

An ABN that is recorded but not signed, not dated, dated after the service or without an option is
not a valid notice: the line is billed as if none were on file (GY), and the gap is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ._data import BillingRule, get_billing

ABN_OPTIONS: tuple[int, ...] = (1, 2, 3)


@dataclass(frozen=True)
class Abn:
    """The Advance Beneficiary Notice of Non-coverage (CMS-R-131) as recorded for a session."""

    issued: bool
    issued_on: date | None = None
    signed: bool = False
    option: int | None = None  # 1, 2 or 3 as ticked by the patient


@dataclass(frozen=True)
class MedicareClaim:
    modifiers: tuple[str, ...]
    bill_medicare: bool  # False: no Medicare claim (ABN option 2 or 3)
    rule: BillingRule
    problems: tuple[str, ...]  # gaps in the ABN, or a contradiction, in words


def abn_gaps(abn: Abn | None, service_date: date | None) -> tuple[str, ...]:
    """Why a recorded ABN is not a valid notice (empty: valid, or no ABN recorded)."""
    if abn is None or not abn.issued:
        return ()
    gaps = []
    if abn.issued_on is None:
        gaps.append("the date it was given")
    elif service_date is not None and abn.issued_on > service_date:
        gaps.append("a date on or before the date of service")
    if not abn.signed:
        gaps.append("the patient's signature")
    if abn.option not in ABN_OPTIONS:
        gaps.append("the option the patient chose (1, 2 or 3)")
    return tuple(gaps)


def medicare_claim(*, abn: Abn | None, clbp_route: bool, service_date: date | None = None) -> MedicareClaim:
    """The modifiers of a Medicare dry-needling line (pure; see the module docstring)."""
    if abn is not None and abn.option is not None and abn.option not in ABN_OPTIONS:
        raise ValueError(f"ABN option must be one of {ABN_OPTIONS}, got {abn.option!r}")
    rules = get_billing().rules
    if clbp_route:
        extra = (
            (
                "An ABN is recorded, but the NCD 30.3.3 route bills a covered service: check by hand whether "
                "the visit limits were passed (then an ABN and GA, not GX, apply).",
            )
            if abn is not None and abn.issued
            else ()
        )
        return MedicareClaim(modifiers=(), bill_medicare=True, rule=rules["MEDICARE-CLBP-COVERED"], problems=extra)
    gaps = abn_gaps(abn, service_date)
    if abn is None or not abn.issued or gaps:
        problems = (
            (f"The ABN on file lacks {', '.join(gaps)}: it is not a valid notice, so GX is not added.",) if gaps else ()
        )
        return MedicareClaim(modifiers=("GY",), bill_medicare=True, rule=rules["MEDICARE-EXCLUDED"], problems=problems)
    if abn.option == 1:
        rule = rules["MEDICARE-ABN-OPTION1"]
        return MedicareClaim(modifiers=("GX", "GY"), bill_medicare=True, rule=rule, problems=())
    if abn.option == 2:
        return MedicareClaim(modifiers=(), bill_medicare=False, rule=rules["MEDICARE-ABN-OPTION2"], problems=())
    return MedicareClaim(
        modifiers=(),
        bill_medicare=False,
        rule=rules["MEDICARE-ABN-OPTION3"],
        problems=("The ABN says the patient declined the service (option 3), yet points were needled: correct it.",),
    )
