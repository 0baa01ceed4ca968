"""CPT derivation and superbills for dry needling."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dryneedling.clinical.billing import (
    NEVER_BILL,
    PAYERS,
    CptResult,
    Superbill,
    SuperbillLine,
    check_never_bill,
    derive_cpt,
    get_billing,
    load_billing,
    superbill_lines,
)
from dryneedling.clinical.bodychart import DATA_DIR
from dryneedling.clinical.knowledge import Knowledge, KnowledgeError, get_knowledge

FEES = {"20560": Decimal("65.00"), "20561": Decimal("90.00")}
MUSCLE_IDS = sorted(get_knowledge().muscles)


def _bill(
    cpt: CptResult, payer: str = "commercial", clbp: bool = False, icd: tuple[str, ...] = ("M79.12",)
) -> Superbill:
    return superbill_lines(
        cpt=cpt, icd10_codes=list(icd), payer=payer, chronic_low_back_pain_medicare=clbp, fee_schedule=FEES
    )


# -- CPT ------------------------------------------------------------------------------------------
def test_one_muscle_is_20560() -> None:
    r = derive_cpt(needled=[("upper_trapezius", "right")])
    assert (r.code, r.muscle_count, r.rule_id) == ("20560", 1, "CPT-20560")
    assert r.counted == (("trapezius", "right"),)
    assert "Trapezius (right)" in r.explanation and "Upper trapezius = Trapezius" in r.explanation


def test_two_muscles_is_20560() -> None:
    r = derive_cpt(needled=[("upper_trapezius", "right"), ("levator_scapulae", "right")])
    assert (r.code, r.muscle_count) == ("20560", 2)


def test_three_or_more_muscles_is_20561() -> None:
    three = [("upper_trapezius", "right"), ("levator_scapulae", "right"), ("infraspinatus", "right")]
    assert derive_cpt(needled=three).code == "20561"
    assert derive_cpt(needled=[*three, ("gluteus_medius", "left"), ("piriformis", "left")]).muscle_count == 5


def test_several_insertions_in_one_muscle_count_once() -> None:
    r = derive_cpt(needled=[("gluteus_medius", "left")] * 9)
    assert (r.code, r.muscle_count) == ("20560", 1)
    assert "9 insertion record(s)" in r.explanation
    r = derive_cpt(needled=[("gluteus_medius", "left")] * 5 + [("piriformis", "left")] * 4)
    assert (r.code, r.muscle_count) == ("20560", 2)


def test_same_muscle_both_sides_counts_twice() -> None:
    r = derive_cpt(needled=[("upper_trapezius", "left"), ("upper_trapezius", "right"), ("upper_trapezius", "left")])
    assert (r.code, r.muscle_count) == ("20560", 2)
    assert r.counted == (("trapezius", "left"), ("trapezius", "right"))
    assert "CPT-LATERALITY [M]" in r.explanation
    r = derive_cpt(needled=[("upper_trapezius", "left"), ("upper_trapezius", "right"), ("levator_scapulae", "left")])
    assert (r.code, r.muscle_count) == ("20561", 3)


def test_laterality_rule_is_documented_and_provisional() -> None:
    rule = get_billing().rules["CPT-LATERALITY"]
    assert rule.evidence == "M"
    assert rule.rationale and "both sides" in rule.message
    assert set(rule.sources) <= set(get_billing().sources)


def test_midline_merges_into_sided_record_of_same_muscle() -> None:
    assert derive_cpt(needled=[("lumbar_multifidus", "midline")]).muscle_count == 1
    r = derive_cpt(needled=[("lumbar_multifidus", "midline"), ("lumbar_multifidus", "left")])
    assert r.counted == (("multifidus", "left"),)
    assert "midline record(s) merged" in r.explanation


def test_zero_muscles_gives_no_code() -> None:
    r = derive_cpt(needled=[])
    assert (r.code, r.muscle_count, r.counted, r.rule_id) == (None, 0, (), "CPT-NONE")
    assert "No muscle" in r.explanation and r.sources
    with pytest.raises(ValueError, match="nothing|no dry-needling code"):
        _bill(r)


@pytest.mark.parametrize(
    "item, match",
    [
        (("biceps_femoris_long", "left"), "unknown muscle"),
        (("upper_trapezius", "both"), "side must be"),
        (["upper_trapezius", "left"], "tuple"),
        (("hamstrings", "left", 3), "tuple"),
        (("hamstrings", "left", "semitendinosus", "x"), "tuple"),
    ],
)
def test_bad_needled_items_are_rejected(item: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        derive_cpt(needled=[item])  # type: ignore[list-item]


def test_derivation_accepts_a_generator() -> None:
    assert derive_cpt(needled=((m, "right") for m in MUSCLE_IDS[:4])).code == "20561"


# -- superbill ------------------------------------------------------------------------------------
def test_medicare_without_an_abn_gets_gy_and_non_coverage_warning() -> None:
    bill = _bill(derive_cpt(needled=[("upper_trapezius", "right")]), payer="medicare")
    (line,) = bill.lines
    assert (line.code, line.modifiers, line.units, line.fee) == ("20560", ("GY",), 1, Decimal("65.00"))
    assert "without injection" in line.description
    assert [w.rule_id for w in bill.warnings] == ["BILL-MEDICARE-NONCOVERED"]
    assert all(w.sources for w in bill.warnings + bill.notes)
    assert "BILL-MEDICARE-CLBP" not in [n.rule_id for n in bill.notes]
    assert bill.patient_estimate is None and bill.total == Decimal("65.00")


def test_medicare_chronic_low_back_pain_adds_ncd_note_and_no_gx_or_gy() -> None:
    bill = _bill(derive_cpt(needled=[("quadratus_lumborum", "left")]), payer="medicare", clbp=True, icd=("M54.50",))
    note = next(n for n in bill.notes if n.rule_id == "BILL-MEDICARE-CLBP")
    assert "30.3.3" in note.message and note.sources == ("cms_ncd_30_3_3",)
    assert bill.lines[0].modifiers == ()


def test_self_pay_estimate_is_fee_schedule_amount() -> None:
    three = [("upper_trapezius", "right"), ("levator_scapulae", "right"), ("infraspinatus", "right")]
    bill = _bill(derive_cpt(needled=three), payer="self_pay")
    assert bill.patient_estimate == FEES["20561"] == bill.total
    assert bill.lines[0].modifiers == ()
    assert "BILL-SELF-PAY" in [n.rule_id for n in bill.notes]


def test_commercial_warns_to_check_policy() -> None:
    bill = _bill(derive_cpt(needled=[("deltoid", "left")]))
    assert [w.rule_id for w in bill.warnings] == ["BILL-COMMERCIAL"]
    assert bill.lines[0].modifiers == () and bill.patient_estimate is None


def test_diagnosis_pointers_and_normalised_codes() -> None:
    icd = ("m79.12", "M54.2", "G44.229", "M79.18", "M25.511")
    bill = _bill(derive_cpt(needled=[("deltoid", "left")]), icd=icd)
    assert bill.diagnoses[0] == "M79.12"
    assert bill.lines[0].diagnosis_pointers == ("A", "B", "C", "D")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"payer": "medicaid"}, "unknown payer"),
        ({"icd10_codes": "M79.12"}, "not a single string"),
        ({"icd10_codes": []}, "1 to 12"),
        ({"icd10_codes": ["M79.12"] * 13}, "1 to 12"),
        ({"icd10_codes": ["79.12"]}, "not an ICD-10-CM code"),
        ({"icd10_codes": [None]}, "not an ICD-10-CM code"),
        ({"icd10_codes": ["M54.2", "m54.2"]}, "duplicate"),
        ({"icd10_codes": ["M54.5"]}, "M54.50"),
        ({"chronic_low_back_pain_medicare": True}, "only when payer is 'medicare'"),
        ({"chronic_low_back_pain_medicare": "yes"}, "True or False"),
        ({"fee_schedule": {}}, "fee for CPT 20560"),
        ({"fee_schedule": {"20560": 65.0}}, "Decimal"),
        ({"fee_schedule": {"20560": Decimal("-1")}}, "non-negative"),
    ],
)
def test_invalid_superbill_inputs_raise_one_line_value_errors(kwargs: dict, match: str) -> None:
    args = {
        "cpt": derive_cpt(needled=[("deltoid", "left")]),
        "icd10_codes": ["M79.12"],
        "payer": "commercial",
        "chronic_low_back_pain_medicare": False,
        "fee_schedule": FEES,
        **kwargs,
    }
    with pytest.raises(ValueError, match=match) as exc:
        superbill_lines(**args)
    assert "\n" not in str(exc.value)


def test_hand_made_cpt_result_with_excluded_code_is_refused() -> None:
    fake = CptResult(
        code="97810", muscle_count=1, counted=(("deltoid", "left"),), rule_id="x", explanation="", sources=()
    )
    with pytest.raises(ValueError, match="not a dry-needling code"):
        superbill_lines(
            cpt=fake,
            icd10_codes=["M79.12"],
            payer="self_pay",
            chronic_low_back_pain_medicare=False,
            fee_schedule={"97810": Decimal(1)},
        )


def test_never_bill_guard() -> None:
    assert NEVER_BILL == {"97810", "97811", "97813", "97814", "20552", "20553"}
    assert set(get_billing().never_bill) == NEVER_BILL
    assert not {c.code for c in get_billing().codes} & NEVER_BILL
    line = SuperbillLine(code="20552", modifiers=(), description="", units=1, fee=Decimal(0), diagnosis_pointers=())
    with pytest.raises(RuntimeError, match="20552"):
        check_never_bill([line])


@settings(max_examples=150, deadline=None)
@given(
    needled=st.lists(
        st.tuples(st.sampled_from(MUSCLE_IDS), st.sampled_from(["left", "right", "midline"])), max_size=25
    ),
    payer=st.sampled_from(PAYERS),
    clbp=st.booleans(),
)
def test_property_never_produces_excluded_codes(needled: list[tuple[str, str]], payer: str, clbp: bool) -> None:
    cpt = derive_cpt(needled=needled)
    assert cpt.code not in NEVER_BILL
    distinct = len(set(needled))
    assert cpt.muscle_count <= distinct
    members = get_billing().members  # parts of one anatomical muscle count once (CPT-ANATOMICAL-MUSCLE)
    # an unnamed grouped record may add nothing beside a member counted on its side (CPT-GROUPED-UNNAMED)
    assert cpt.muscle_count >= len({members(m)[0] for m, _ in needled if len(members(m)) == 1})
    assert cpt.muscle_count >= bool(needled)
    assert cpt.code == (None if not needled else "20560" if cpt.muscle_count <= 2 else "20561")
    if cpt.code is None:
        return
    fees = {code: Decimal(10) for code in ("20560", "20561", *NEVER_BILL)}
    bill = superbill_lines(
        cpt=cpt,
        icd10_codes=["M79.18"],
        payer=payer,
        chronic_low_back_pain_medicare=clbp and payer == "medicare",
        fee_schedule=fees,
    )
    assert not {ln.code for ln in bill.lines} & NEVER_BILL
    assert "GX" not in bill.lines[0].modifiers  # never without an ABN (issue 11)
    assert ("GY" in bill.lines[0].modifiers) == (payer == "medicare" and not clbp)


# -- data file ------------------------------------------------------------------------------------
def test_every_rule_and_code_carries_sources_and_tag(kb: Knowledge) -> None:
    data = get_billing()
    tagged = [(c.sources, c.evidence) for c in data.codes] + [(r.sources, r.evidence) for r in data.rules.values()]
    for sources, evidence in tagged:
        assert sources and evidence in ("V", "M", "NF")
        assert set(sources) <= set(data.sources)
    assert set(kb.sources) <= set(data.sources)


def _broken(tmp_path: Path, edit: Callable[[dict[str, Any]], object]) -> Path:
    target = tmp_path / "billing.yaml"
    shutil.copy(DATA_DIR / "billing.yaml", target)
    doc = yaml.safe_load(target.read_text(encoding="utf-8"))
    edit(doc)
    target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "edit, match",
    [
        (
            lambda d: d["codes"].append(
                {"code": "97810", "descriptor": "x", "min_muscles": 9, "sources": ["gawenda_2020"], "evidence": "V"}
            ),
            "codes",
        ),
        (lambda d: d["never_bill"].pop(), "never_bill"),
        (lambda d: d["rules"][0]["sources"].append("nobody_2099"), "unknown source id 'nobody_2099'"),
        (lambda d: d["rules"].pop(), "required rule"),
        (lambda d: d["rules"][0].update(colour="red"), "unknown field"),
        (lambda d: d["codes"][1].update(min_muscles=4), "without gaps"),
        (lambda d: d["sources"].append({"id": "unused_2020", "citation": "x", "evidence": "V"}), "never cited"),
    ],
)
def test_broken_billing_data_fails_loudly(
    tmp_path: Path, kb: Knowledge, edit: Callable[[dict[str, Any]], object], match: str
) -> None:
    with pytest.raises(KnowledgeError, match=match):
        load_billing(_broken(tmp_path, edit), knowledge=kb)


def test_a_code_without_a_fee_gives_no_fee_and_no_total() -> None:
    """The clinic set no fee for the code: the superbill says so (None), never an invented 0.00."""
    three = [("upper_trapezius", "right"), ("levator_scapulae", "right"), ("infraspinatus", "right")]
    bill = superbill_lines(
        cpt=derive_cpt(needled=three),
        icd10_codes=["M79.12"],
        payer="self_pay",
        chronic_low_back_pain_medicare=False,
        fee_schedule={"20560": Decimal("65.00"), "20561": None},
    )
    assert bill.lines[0].fee is None and bill.total is None and bill.patient_estimate is None
