"""Outcome-measure scoring: published scoring rules, missing items, MCID/MDC change, data integrity."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dryneedling.clinical.bodychart import DATA_DIR
from dryneedling.clinical.instruments import (
    Change,
    Instrument,
    NotScorable,
    Score,
    change,
    condition_measure,
    get_instrument_data,
    get_instruments,
    groc_responder,
    load_instrument_data,
    score,
)
from dryneedling.clinical.knowledge import Knowledge, KnowledgeError

INSTRUMENTS = get_instruments()
ITEMIZED = sorted(i for i, inst in INSTRUMENTS.items() if inst.scoring != "total_only")


# -- catalogue ------------------------------------------------------------------------------------
def test_catalogue_has_the_core_instruments() -> None:
    assert {"nprs", "vas", "ppt", "ndi", "odi", "quickdash", "lefs", "psfs", "groc"} <= set(INSTRUMENTS)
    assert get_instruments() is INSTRUMENTS  # cached
    ndi, lefs = INSTRUMENTS["ndi"], INSTRUMENTS["lefs"]
    assert (ndi.item_count, ndi.item_range, ndi.total_range) == ((10, 10), (0, 5), (0, 50))
    assert ndi.direction == "higher_is_worse" and lefs.direction == "higher_is_better"
    assert (lefs.item_count, lefs.total_range) == ((20, 20), (0, 80))
    assert INSTRUMENTS["quickdash"].item_range == (1, 5)
    assert INSTRUMENTS["psfs"].item_count == (3, 5)
    assert INSTRUMENTS["groc"].total_range == (-7, 7)
    assert INSTRUMENTS["ppt"].unit == "kg/cm²"


def test_instrument_and_results_are_frozen() -> None:
    for obj in (
        INSTRUMENTS["ndi"],
        score(instrument_id="nprs", total=5),
        change(instrument_id="nprs", baseline=5, follow_up=3),
    ):
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.unit = "x"  # type: ignore[misc]


def test_licensed_questionnaires_carry_no_item_wording() -> None:
    for iid in ("ndi", "odi", "quickdash", "lefs", "ffi", "prtee"):
        inst = INSTRUMENTS[iid]
        assert inst.reproduce_items is False and inst.item_text == (), iid
        assert "no item wording" in inst.licence
    for iid in ("nprs", "vas", "groc", "psfs"):
        assert INSTRUMENTS[iid].reproduce_items is True and INSTRUMENTS[iid].item_text, iid


def test_loinc_codes_from_the_dossier() -> None:
    codes = {i: inst.loinc.code for i, inst in INSTRUMENTS.items() if inst.loinc}
    assert codes == {"nprs": "72514-3", "vas": "38214-3", "ndi": "82237-9", "odi": "97908-8"}
    assert INSTRUMENTS["ndi"].loinc and INSTRUMENTS["ndi"].loinc.evidence == "M"


def test_every_source_id_resolves() -> None:
    data = get_instrument_data()
    for inst in INSTRUMENTS.values():
        parts = [inst, inst.missing_rule, inst.timing, inst.loinc, inst.responder_threshold, *inst.mcids, *inst.mdcs]
        for part in parts:
            if part is not None:
                assert part.sources, (inst.id, part)
                assert all(s in data.sources for s in part.sources), (inst.id, part.sources)


def test_every_threshold_has_source_tag_and_one_default() -> None:
    for inst in INSTRUMENTS.values():
        for t in (*inst.mcids, *inst.mdcs):
            assert t.sources and t.evidence in ("V", "M", "NF") and t.value > 0, (inst.id, t.id)
        assert not inst.mcids or sum(t.default for t in inst.mcids) == 1, inst.id
        assert sum(t.default for t in inst.mdcs) <= 1, inst.id  # an MDC is region-specific: no default needed
        assert inst.missing_rule.evidence in ("V", "M", "NF")


def test_provisional_values_are_tagged_m() -> None:
    assert INSTRUMENTS["ndi"].missing_rule.evidence == "M"
    assert INSTRUMENTS["odi"].missing_rule.evidence == "M"
    assert INSTRUMENTS["quickdash"].missing_rule.evidence == "M"
    assert INSTRUMENTS["lefs"].missing_rule.evidence == "M"
    groc = INSTRUMENTS["groc"].responder_threshold
    assert groc is not None and (groc.value, groc.evidence) == (4, "M")
    nprs_default = next(t for t in INSTRUMENTS["nprs"].mcids if t.default)
    assert (nprs_default.value, nprs_default.evidence) == (2, "M")


# -- score: worked examples -----------------------------------------------------------------------
def test_ndi_all_items() -> None:
    s = score(instrument_id="ndi", items=[2, 2, 2, 2, 2, 2, 2, 2, 2, 2])
    assert s == Score("ndi", 20.0, "points", 40.0, 10, 0, "higher_is_worse")
    assert score(instrument_id="ndi", items=[5] * 10).percent == 100.0
    assert score(instrument_id="ndi", items=[0, 1, 2, 3, 4, 5, 0, 1, 2, 3]).percent == 42.0


def test_ndi_missing_items_are_prorated() -> None:
    s = score(instrument_id="ndi", items=[2, 2, None, 2, 2, 2, 2, 2, 2, 2])  # 9 answered, sum 18
    assert (s.percent, s.value, s.answered, s.missing) == (40.0, 20.0, 9, 1)
    s = score(instrument_id="ndi", items=[None, 4, 4, 4, 4, 4, 4, 4, 4, None])  # 8 answered, sum 32 -> 32/40
    assert (s.percent, s.value, s.missing) == (80.0, 40.0, 2)


def test_ndi_three_missing_is_not_scorable() -> None:
    with pytest.raises(NotScorable, match=r"3 of 10 item\(s\) missing, at most 2 allowed"):
        score(instrument_id="ndi", items=[None, None, None, 1, 1, 1, 1, 1, 1, 1])
    assert issubclass(NotScorable, ValueError)


def test_odi_examples() -> None:
    # 10 sections, sum 23 -> 23 / 50 x 100 = 46 %
    s = score(instrument_id="odi", items=[3, 2, 2, 3, 2, 3, 2, 2, 2, 2])
    assert (s.value, s.percent, s.unit) == (46.0, 46.0, "%")
    # one section missing: sum 18 / (5 x 9) = 40 %
    s = score(instrument_id="odi", items=[2, 2, 2, 2, None, 2, 2, 2, 2, 2])
    assert (s.value, s.answered, s.missing) == (40.0, 9, 1)
    with pytest.raises(NotScorable):
        score(instrument_id="odi", items=[2, None, 2, 2, None, 2, 2, 2, 2, 2])


def test_quickdash_examples() -> None:
    assert score(instrument_id="quickdash", items=[3] * 11).value == 50.0
    assert score(instrument_id="quickdash", items=[1] * 11).value == 0.0
    assert score(instrument_id="quickdash", items=[5] * 11).value == 100.0
    s = score(instrument_id="quickdash", items=[3] * 10 + [None])
    assert (s.value, s.answered, s.missing, s.percent) == (50.0, 10, 1, None)
    # ((sum / n) - 1) x 25 with sum 30 over 10 answered = (3 - 1) x 25; sum 25 over 11 -> 31.82
    assert score(instrument_id="quickdash", items=[2, 2, 2, 3, 3, 3, 2, 2, 2, 2, 2]).value == pytest.approx(31.82)
    with pytest.raises(NotScorable):
        score(instrument_id="quickdash", items=[3] * 9 + [None, None])


def test_lefs_sum_and_no_missing() -> None:
    s = score(instrument_id="lefs", items=[4] * 10 + [2] * 10)
    assert (s.value, s.unit, s.direction, s.percent) == (60.0, "points", "higher_is_better", None)
    assert score(instrument_id="lefs", items=[0] * 20).value == 0.0
    with pytest.raises(NotScorable, match="none allowed"):
        score(instrument_id="lefs", items=[4] * 19 + [None])


def test_psfs_mean_of_activities() -> None:
    assert score(instrument_id="psfs", items=[3, 5, 4]).value == 4.0
    assert score(instrument_id="psfs", items=[2, 5, 6, 8, 9]).value == 6.0
    assert score(instrument_id="psfs", items=[1, 2, 2]).value == 1.67
    with pytest.raises(ValueError, match="3 to 5"):
        score(instrument_id="psfs", items=[5, 5])


def test_single_item_scales_and_ppt_mean() -> None:
    assert score(instrument_id="nprs", items=[7]) == Score("nprs", 7.0, "points", None, 1, 0, "higher_is_worse")
    assert score(instrument_id="vas", items=[42.5]).value == 42.5
    assert score(instrument_id="groc", items=[-3]).value == -3.0
    s = score(instrument_id="ppt", items=[2.4, 2.6, 2.5])
    assert (s.value, s.unit, s.direction) == (2.5, "kg/cm²", "higher_is_better")


def test_ffi_percent_of_maximum() -> None:
    s = score(instrument_id="ffi", items=[5] * 23)
    assert (s.value, s.percent) == (50.0, 50.0)
    assert score(instrument_id="ffi", items=[10] * 10 + [0] * 13).value == pytest.approx(100 / 230 * 100, abs=0.01)


def test_clinician_entered_totals() -> None:
    s = score(instrument_id="ndi", total=15)
    assert (s.value, s.percent, s.answered, s.missing) == (15.0, 30.0, 0, 0)
    assert score(instrument_id="odi", total=34).percent == 34.0
    assert score(instrument_id="prtee", total=48.5).value == 48.5
    with pytest.raises(ValueError, match="total only"):
        score(instrument_id="prtee", items=[1, 2, 3])


# -- score: bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"instrument_id": "ndi", "items": [1] * 9}, "takes 10 item"),
        ({"instrument_id": "ndi", "items": [1] * 11}, "takes 10 item"),
        ({"instrument_id": "ndi", "items": [1] * 9 + [6]}, "item 10: 6 is outside 0 to 5"),
        ({"instrument_id": "ndi", "items": [1] * 9 + [-1]}, "outside"),
        ({"instrument_id": "ndi", "items": [1] * 9 + [2.5]}, "not a whole number"),
        ({"instrument_id": "ndi", "items": [1] * 9 + [True]}, "finite number"),
        ({"instrument_id": "ndi", "items": [1] * 9 + ["2"]}, "finite number"),
        ({"instrument_id": "vas", "items": [float("nan")]}, "finite number"),
        ({"instrument_id": "quickdash", "items": [0] * 11}, "outside 1 to 5"),
        ({"instrument_id": "ndi", "items": [1] * 10, "total": 10}, "not both"),
        ({"instrument_id": "ndi"}, "either items or a total"),
        ({"instrument_id": "ndi", "total": 51}, "outside the Neck Disability Index range 0 to 50"),
        ({"instrument_id": "nprs", "total": -1}, "outside"),
        ({"instrument_id": "ndi", "items": "1111111111"}, "list of item scores"),
        ({"instrument_id": "koos", "total": 1}, "unknown instrument id 'koos'"),
    ],
)
def test_bad_score_input_raises_one_line_value_error(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match) as info:
        score(**kwargs)
    assert not isinstance(info.value, NotScorable)
    assert "\n" not in str(info.value)


def test_all_missing_is_not_scorable() -> None:
    with pytest.raises(NotScorable):
        score(instrument_id="nprs", items=[None])


def test_score_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        score("nprs", None, 5)  # type: ignore[misc]


# -- score: properties ----------------------------------------------------------------------------
@st.composite
def _answers(draw: st.DrawFn) -> tuple[Instrument, list[float | None]]:
    inst = INSTRUMENTS[draw(st.sampled_from(ITEMIZED))]
    assert inst.item_count is not None and inst.item_range is not None
    (n_lo, n_hi), (lo, hi) = inst.item_count, inst.item_range
    n = draw(st.integers(n_lo, n_hi))
    value = (
        st.integers(int(lo), int(hi))
        if inst.integer_items
        else st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    )
    items: list[float | None] = draw(st.lists(value, min_size=n, max_size=n))
    for index in draw(st.lists(st.integers(0, n - 1), max_size=inst.max_missing, unique=True)):
        items[index] = None
    return inst, items


@settings(max_examples=300, deadline=None)
@given(_answers())
def test_scores_are_always_within_the_total_range(case: tuple[Instrument, list[float | None]]) -> None:
    inst, items = case
    s = score(instrument_id=inst.id, items=items)
    lo, hi = inst.total_range
    assert lo <= s.value <= hi
    assert s.percent is None or 0 <= s.percent <= 100
    assert s.answered + s.missing == len(items) and s.missing <= inst.max_missing
    assert (s.unit, s.direction) == (inst.unit, inst.direction)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(i for i in INSTRUMENTS if i != "groc")), st.floats(0, 1), st.floats(0, 1))
def test_change_improvement_is_direction_corrected(iid: str, a: float, b: float) -> None:
    inst = INSTRUMENTS[iid]
    lo, hi = inst.total_range
    base, follow = lo + a * (hi - lo), lo + b * (hi - lo)
    c = change(instrument_id=iid, baseline=base, follow_up=follow)
    sign = -1 if inst.direction == "higher_is_worse" else 1
    assert c.improvement == pytest.approx(sign * (follow - base), abs=1e-5)
    if c.mcid is not None:
        assert c.responder is (c.improvement >= c.mcid)
    else:
        assert c.responder is None and c.evidence == "NF"


# -- change ---------------------------------------------------------------------------------------
def test_nprs_7_to_4_is_a_responder_for_neck() -> None:
    c = change(instrument_id="nprs", baseline=7, follow_up=4, context="neck")
    assert (c.delta, c.improvement, c.mcid, c.responder) == (-3.0, 3.0, 1.3, True)
    assert c.mcid_sources == ("cleland_2008",) and c.evidence == "V" and c.context == "neck"
    assert (c.mdc, c.beyond_mdc) == (4.0, False)
    default = change(instrument_id="nprs", baseline=7, follow_up=4)
    assert (default.mcid, default.responder, default.evidence, default.context) == (2.0, True, "M", "general")
    assert (default.rule, default.relative_percent, default.overridden) == ("points", None, False)
    assert change(instrument_id="nprs", baseline=7, follow_up=6, context="neck").responder is False


def test_nprs_near_threshold_is_not_lost_to_float_error() -> None:
    assert change(instrument_id="nprs", baseline=5.0, follow_up=3.7, context="neck").responder is True


def test_unknown_context_falls_back_to_the_default() -> None:
    c = change(instrument_id="nprs", baseline=7, follow_up=4, context="wrist")
    assert (c.context, c.mcid) == ("general", 2.0)
    assert (c.mdc, c.beyond_mdc) == (None, None)  # the neck MDC is not applied to the wrist


def test_direction_lefs_higher_is_better() -> None:
    better = change(instrument_id="lefs", baseline=40, follow_up=52)
    assert (better.delta, better.improvement, better.mcid, better.responder, better.beyond_mdc) == (
        12.0,
        12.0,
        9.0,
        True,
        True,
    )
    worse = change(instrument_id="lefs", baseline=52, follow_up=40)
    assert (worse.improvement, worse.responder, worse.beyond_mdc) == (-12.0, False, True)


def test_direction_odi_higher_is_worse() -> None:
    better = change(instrument_id="odi", baseline=46, follow_up=30)
    assert (better.delta, better.improvement, better.mcid, better.responder) == (-16.0, 16.0, 10.0, True)
    assert better.mdc is None and better.beyond_mdc is None
    worse = change(instrument_id="odi", baseline=30, follow_up=46)
    assert (worse.improvement, worse.responder) == (-16.0, False)
    assert change(instrument_id="odi", baseline=46, follow_up=36, context="musculoskeletal").responder is False


def test_ndi_mcid_in_points_from_percentage_points() -> None:
    c = change(instrument_id="ndi", baseline=20, follow_up=10, context="neck_cleland")  # 40 % -> 20 %
    assert (c.mcid, c.responder, c.mcid_sources) == (9.5, True, ("cleland_2008",))
    assert change(instrument_id="ndi", baseline=20, follow_up=12, context="neck_cleland").responder is False
    assert change(instrument_id="ndi", baseline=20, follow_up=12, context="musculoskeletal").mcid == 7.0


# -- issue 11: MCID defaults in common practice, the rule with the verdict, MDC by region ---------
def test_mcid_defaults_match_common_practice() -> None:
    def default(iid: str) -> tuple[float, tuple[str, ...], str]:
        t = next(t for t in INSTRUMENTS[iid].mcids if t.default)
        return (INSTRUMENTS[iid].in_score_units(t), t.sources, t.evidence)

    assert default("ndi") == (7.5, ("young_2009",), "M")  # Young 2009, of 50 points
    assert default("odi") == (10.0, ("ostelo_2008",), "M")  # Ostelo 2008, 0-100 %
    assert default("psfs") == (2.0, ("stratford_1995",), "M")
    assert default("nprs") == (2.0, ("farrar_2001", "childs_2005"), "M")


def test_nprs_offers_2_points_or_30_percent_and_the_verdict_names_the_rule() -> None:
    points = change(instrument_id="nprs", baseline=4, follow_up=2)
    assert (points.rule, points.mcid, points.responder) == ("points", 2.0, True)
    relative = change(instrument_id="nprs", baseline=4, follow_up=3, rule="relative")  # 30 % of 4 = 1.2
    assert (relative.rule, relative.relative_percent, relative.mcid, relative.responder) == ("relative", 30, 1.2, False)
    assert change(instrument_id="nprs", baseline=4, follow_up=2, rule="relative").responder is True
    # From 9, 30 % is 2.7: a 2-point fall passes the points rule but not the relative one.
    assert change(instrument_id="nprs", baseline=9, follow_up=7).responder is True
    assert change(instrument_id="nprs", baseline=9, follow_up=7, rule="relative").responder is False
    # A baseline of 0 cannot improve: no verdict of improvement under either rule.
    assert change(instrument_id="nprs", baseline=0, follow_up=0, rule="relative").responder is False


def test_odi_30_percent_from_ostelo() -> None:
    c = change(instrument_id="odi", baseline=40, follow_up=30, rule="relative")  # 30 % of 40 = 12
    assert (c.mcid, c.responder, c.mcid_sources) == (12.0, False, ("ostelo_2008",))


def test_clinic_override_replaces_the_default_and_is_recorded() -> None:
    c = change(instrument_id="ndi", baseline=20, follow_up=14, override=5)
    assert (c.mcid, c.responder, c.overridden, c.mcid_id) == (5.0, True, True, "ndi_neck_young")
    r = change(instrument_id="nprs", baseline=6, follow_up=4, rule="relative", override=50)
    assert (r.mcid, r.responder, r.relative_percent, r.overridden) == (3.0, False, 50, True)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"instrument_id": "nprs", "rule": "percentish"}, "rule must be one of"),
        ({"instrument_id": "lefs", "rule": "relative"}, "only defined for a reduction"),
        ({"instrument_id": "quickdash", "rule": "relative"}, "no sourced relative MCID"),
        ({"instrument_id": "nprs", "override": 0}, "greater than 0"),
        ({"instrument_id": "nprs", "override": 11}, "at most 10"),
        ({"instrument_id": "nprs", "rule": "relative", "override": 120}, "at most 100"),
    ],
)
def test_bad_rule_or_override(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        change(baseline=5, follow_up=3, **kwargs)


def test_nprs_mdc_comes_from_the_right_body_region() -> None:
    assert change(instrument_id="nprs", baseline=7, follow_up=4, context="neck").mdc == 4.0  # Kovacs 2008
    low_back = change(instrument_id="nprs", baseline=7, follow_up=4, context="low_back")
    assert (low_back.mdc, low_back.beyond_mdc, low_back.mdc_sources) == (2.0, True, ("childs_2005",))
    assert change(instrument_id="nprs", baseline=7, follow_up=4).mdc is None  # no region: no borrowed MDC
    # The clinic's MCID (the default) with the region's MDC
    both = change(instrument_id="nprs", baseline=7, follow_up=4, mdc_context="low_back")
    assert (both.mcid, both.context, both.mdc) == (2.0, "general", 2.0)


def test_ppt_has_mdc_but_no_mcid() -> None:
    c = change(instrument_id="ppt", baseline=2.0, follow_up=2.8)
    assert (c.mcid, c.responder, c.evidence) == (None, None, "NF")
    assert (c.mdc, c.beyond_mdc, c.improvement) == (0.62, True, pytest.approx(0.8))


def test_bad_change_input() -> None:
    with pytest.raises(ValueError, match="groc_responder"):
        change(instrument_id="groc", baseline=0, follow_up=3)
    with pytest.raises(ValueError, match="outside"):
        change(instrument_id="nprs", baseline=11, follow_up=3)
    with pytest.raises(ValueError, match="finite number"):
        change(instrument_id="nprs", baseline=5, follow_up=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="context"):
        change(instrument_id="nprs", baseline=5, follow_up=3, context=3)  # type: ignore[arg-type]
    assert isinstance(change(instrument_id="vas", baseline=60, follow_up=30), Change)


# -- GROC -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, threshold, expected",
    [
        (4, None, True),
        (3, None, False),
        (2, None, False),
        (7, None, True),
        (-7, None, False),
        (0, None, False),
        (4, 5, False),
        (5, 5, True),
        (1, 1, True),
        (0, 1, False),
    ],
)
def test_groc_responder(value: int, threshold: int | None, expected: bool) -> None:
    assert groc_responder(value=value, threshold=threshold) is expected


@pytest.mark.parametrize("value, threshold", [(8, None), (-8, None), (2.5, None), (True, None), (3, 0), (3, 8)])
def test_groc_bad_input(value: Any, threshold: Any) -> None:
    with pytest.raises(ValueError):
        groc_responder(value=value, threshold=threshold)


# -- condition_measure ----------------------------------------------------------------------------
def test_condition_measure_for_every_kb_condition(kb: Knowledge) -> None:
    expected = {
        "neck_pain": "ndi",
        "low_back_pain": "odi",
        "sciatica_like_pain": "odi",
        "shoulder_pain": "quickdash",
        "knee_pain": "lefs",
        "hip_pain": "lefs",
        "plantar_heel_pain": "lefs",
        "muscle_strain": "lefs",
        "lateral_epicondylalgia": "prtee",
        "tension_type_headache": "ndi",
        "myofascial_pain_syndrome": "psfs",
    }
    for cid, iid in expected.items():
        assert condition_measure(condition_outcomes=kb.conditions[cid].outcome_measures) == iid, cid
    for condition in kb.conditions.values():
        chosen = condition_measure(condition_outcomes=condition.outcome_measures)
        assert chosen is not None and INSTRUMENTS[chosen].kind == "function"


@pytest.mark.parametrize(
    "outcomes, expected",
    [
        (["NPRS", "NDI"], "ndi"),
        (["ODI or RMDQ"], "odi"),
        (["QuickDASH"], "quickdash"),
        (["FHSQ pain", "LEFS"], "lefs"),
        (["FHSQ pain"], "psfs"),
        (["PRTEE"], "prtee"),
        (["SPADI", "DASH"], "psfs"),
        (["NPRS", "PPT"], "psfs"),
        ([], None),
    ],
)
def test_condition_measure_strings(outcomes: list[str], expected: str | None) -> None:
    assert condition_measure(condition_outcomes=outcomes) == expected


def test_condition_measure_rejects_a_bare_string() -> None:
    with pytest.raises(ValueError, match="single string"):
        condition_measure(condition_outcomes="NDI")


# -- broken data ----------------------------------------------------------------------------------
def _broken(tmp_path: Path, edit: Callable[[dict[str, Any]], object]) -> Path:
    target = tmp_path / "instruments.yaml"
    shutil.copy(DATA_DIR / "instruments.yaml", target)
    doc = yaml.safe_load(target.read_text(encoding="utf-8"))
    edit(doc)
    target.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return tmp_path


def _inst(doc: dict[str, Any], iid: str) -> dict[str, Any]:
    return next(i for i in doc["instruments"] if i["id"] == iid)


@pytest.mark.parametrize(
    "edit, entry, field, problem",
    [
        (
            lambda d: _inst(d, "ndi")["mcids"][0]["sources"].append("nobody_2099"),
            "ndi",
            "sources",
            "unknown source id 'nobody_2099'",
        ),
        (lambda d: _inst(d, "ndi")["mcids"][0].pop("evidence"), "ndi", "mcids[0].evidence", "missing required"),
        (lambda d: _inst(d, "ndi")["mcids"][0].pop("sources"), "ndi", "mcids[0].sources", "missing required"),
        (lambda d: _inst(d, "ndi")["mcids"][0].update(evidence="X"), "ndi", "mcids[0].evidence", "not one of"),
        (lambda d: _inst(d, "lefs").update(direction="up"), "lefs", "direction", "not one of"),
        (lambda d: _inst(d, "lefs").update(colour="red"), "lefs", "colour", "unknown field"),
        (lambda d: _inst(d, "lefs").update(total_range=[0, 100]), "lefs", "total_range", "expected [0.0, 80.0]"),
        (lambda d: _inst(d, "odi").update(item_text=["Pain intensity"]), "odi", "item_text", "not allowed"),
        (lambda d: _inst(d, "odi").pop("reproduce_items"), "odi", "reproduce_items", "missing required"),
        (lambda d: _inst(d, "quickdash").update(max_missing=11), "quickdash", "max_missing", "below the item count"),
        (lambda d: _inst(d, "nprs")["mcids"][1].update(default=True), "nprs", "mcids", "exactly one"),
        (lambda d: _inst(d, "nprs")["mdcs"][0].update(relative_percent=30), "nprs", "mdcs", "MCIDs only"),
        (lambda d: _inst(d, "lefs")["mcids"][0].update(relative_percent=30), "lefs", "mcids", "higher_is_worse"),
        (
            lambda d: _inst(d, "odi")["mcids"][0].update(relative_percent=130),
            "odi",
            "mcids[0].relative_percent",
            "between 0 and 100",
        ),
        (lambda d: _inst(d, "quickdash")["mcids"][0].update(scale="percent"), "quickdash", "mcids", "percent: true"),
        (lambda d: _inst(d, "psfs").update(aliases=["NDI"]), "psfs", "aliases", "also used by 'ndi'"),
        (lambda d: d["instruments"].append(dict(_inst(d, "nprs"))), "nprs", "id", "duplicate id"),
        (
            lambda d: d["sources"].append({"id": "unused_2020", "citation": "x", "evidence": "V"}),
            "unused_2020",
            "id",
            "never cited",
        ),
        (
            lambda d: d["sources"].append({"id": "gattie_2017", "citation": "x", "evidence": "V"}),
            "gattie_2017",
            "id",
            "duplicate source id",
        ),
        (lambda d: d.update(function_preference=["ndi", "nprs"]), "-", "function_preference", "not a function"),
    ],
)
def test_broken_instrument_data_names_file_entry_and_field(
    tmp_path: Path, kb: Knowledge, edit: Callable[[dict[str, Any]], object], entry: str, field: str, problem: str
) -> None:
    with pytest.raises(KnowledgeError) as info:
        load_instrument_data(_broken(tmp_path, edit), knowledge=kb)
    err = info.value
    assert (err.file, err.entry, err.field) == ("instruments.yaml", entry, field)
    assert problem in err.problem
    assert str(err).startswith(f"instruments.yaml: entry '{entry}': field '{field}'")


def test_unreadable_yaml_fails_loudly(tmp_path: Path, kb: Knowledge) -> None:
    (tmp_path / "instruments.yaml").write_text("instruments: [\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="instruments.yaml: entry '-': field '-': not valid YAML"):
        load_instrument_data(tmp_path, knowledge=kb)


def test_packaged_copy_loads_unchanged(tmp_path: Path, kb: Knowledge) -> None:
    data = load_instrument_data(_broken(tmp_path, lambda d: None), knowledge=kb)
    assert data.instruments == get_instrument_data().instruments
    assert set(kb.sources) <= set(data.sources)
