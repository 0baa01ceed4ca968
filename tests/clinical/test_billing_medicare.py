"""Issue 11: Medicare modifiers come from the ABN on file and the coverage route, not from the payer alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dryneedling.clinical.billing import Abn, derive_cpt, get_billing, medicare_claim, superbill_lines

DOS = date(2026, 11, 20)
SIGNED = Abn(issued=True, issued_on=date(2026, 11, 13), signed=True, option=1)


def _bill(abn: Abn | None, *, payer: str = "medicare", clbp: bool = False):  # type: ignore[no-untyped-def]
    return superbill_lines(
        cpt=derive_cpt(needled=[("quadratus_lumborum", "left")]),
        icd10_codes=["M54.50"],
        payer=payer,
        chronic_low_back_pain_medicare=clbp,
        fee_schedule={"20560": Decimal("65.00"), "20561": Decimal("90.00")},
        abn=abn,
        service_date=DOS,
    )


def test_gx_only_with_an_issued_signed_abn_option_1() -> None:
    claim = medicare_claim(abn=SIGNED, clbp_route=False, service_date=DOS)
    assert claim.modifiers == ("GX", "GY") and claim.bill_medicare and not claim.problems
    assert claim.rule.id == "MEDICARE-ABN-OPTION1" and "cms_r_131" in claim.rule.sources
    assert _bill(SIGNED).lines[0].modifiers == ("GX", "GY")


def test_no_abn_is_gy_without_gx() -> None:
    for abn in (None, Abn(issued=False)):
        claim = medicare_claim(abn=abn, clbp_route=False, service_date=DOS)
        assert (claim.modifiers, claim.rule.id, claim.problems) == (("GY",), "MEDICARE-EXCLUDED", ())
    bill = _bill(None)
    assert bill.lines[0].modifiers == ("GY",)
    assert "BILL-MEDICARE-NONCOVERED" in [w.rule_id for w in bill.warnings]
    assert "MEDICARE-EXCLUDED" in [n.rule_id for n in bill.notes]


@pytest.mark.parametrize(
    ("abn", "gap"),
    [
        (Abn(issued=True, issued_on=date(2026, 11, 13), signed=False, option=1), "signature"),
        (Abn(issued=True, issued_on=None, signed=True, option=1), "the date it was given"),
        (Abn(issued=True, issued_on=date(2026, 11, 21), signed=True, option=1), "on or before the date of service"),
        (Abn(issued=True, issued_on=date(2026, 11, 13), signed=True, option=None), "the option the patient chose"),
    ],
)
def test_an_abn_that_is_not_a_valid_notice_gets_no_gx(abn: Abn, gap: str) -> None:
    claim = medicare_claim(abn=abn, clbp_route=False, service_date=DOS)
    assert claim.modifiers == ("GY",)
    assert gap in claim.problems[0] and "GX is not added" in claim.problems[0]


def test_neither_gx_nor_gy_on_the_ncd_30_3_3_route() -> None:
    for abn in (None, SIGNED):
        claim = medicare_claim(abn=abn, clbp_route=True, service_date=DOS)
        assert (claim.modifiers, claim.rule.id, claim.bill_medicare) == ((), "MEDICARE-CLBP-COVERED", True)
    assert medicare_claim(abn=SIGNED, clbp_route=True).problems  # an ABN there is checked by hand
    bill = _bill(None, clbp=True)
    assert bill.lines[0].modifiers == ()
    ids = [n.rule_id for n in (*bill.warnings, *bill.notes)]
    assert "BILL-MEDICARE-CLBP" in ids and "BILL-MEDICARE-NONCOVERED" not in ids


def test_abn_options_2_and_3_send_no_claim_to_medicare() -> None:
    two = medicare_claim(abn=Abn(issued=True, issued_on=DOS, signed=True, option=2), clbp_route=False)
    assert (two.modifiers, two.bill_medicare, two.problems) == ((), False, ())
    three = medicare_claim(abn=Abn(issued=True, issued_on=DOS, signed=True, option=3), clbp_route=False)
    assert (three.modifiers, three.bill_medicare) == ((), False) and "declined" in three.problems[0]
    with pytest.raises(ValueError, match="ABN option"):
        medicare_claim(abn=Abn(issued=True, issued_on=DOS, signed=True, option=4), clbp_route=False)


def test_other_payers_get_no_medicare_modifier_even_with_an_abn() -> None:
    bill = _bill(SIGNED, payer="commercial")
    assert bill.lines[0].modifiers == () and bill.medicare is None


def test_modifier_rules_cite_cms_and_carry_a_tag() -> None:
    rules = get_billing().rules
    for rule_id in ("MEDICARE-CLBP-COVERED", "MEDICARE-EXCLUDED", "MEDICARE-ABN-OPTION1"):
        assert rules[rule_id].evidence in ("V", "M") and rules[rule_id].rationale
        assert {"cms_claims_manual_ch1_60", "cms_ncd_30_3_3", "cms_r_131"} & set(rules[rule_id].sources)
    assert "GX" not in rules["MEDICARE-EXCLUDED"].message.split(":")[-1].replace("GY", "")
