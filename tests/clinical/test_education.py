"""Patient education page and consent items: readability, rates from the knowledge base, fees, pinning."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from dryneedling.clinical.billing import get_billing
from dryneedling.clinical.education import (
    CONSENT_VERSION,
    REQUIRED_SECTIONS,
    EducationPage,
    consent_digest,
    consent_items,
    education_page,
    get_education,
    load_education,
    page_text,
    readability_grade,
    section_text,
)
from dryneedling.clinical.knowledge import Knowledge, KnowledgeError, get_knowledge

# Consent version -> SHA-256 of its items. Changing any item (id, text or required) changes the digest:
# bump education.CONSENT_VERSION and add the new pair here (keep the old ones: signed consents refer to them).
PINNED_CONSENT = {
    "2026.11-1": "455e549c6cb479323b03ff610fab6080b7e15a3ff2fcfb240a8bac73f8293c1d",
    "2026.12-1": "b4c39efe73f75bc297c469e2fdb69a528bb784d9bfbaabb5606f83122b85d58f",
}
FEES = {"20560": Decimal("65"), "20561": Decimal("1090.5")}
KB = get_knowledge()
MAX_GRADE = 8.0


def _page(fees: dict[str, Decimal] | None = None, clinic: str = "Riverside Physio") -> EducationPage:
    return education_page(clinic_name=clinic, fees=fees)


def _section(page: EducationPage, section_id: str) -> str:
    return " ".join(next(s for s in page.sections if s.id == section_id).paragraphs)


def _rate(effect_id: str, source: str, unit: str = "percent_of_treatments") -> list[float]:
    return [
        r.value
        for r in KB.side_effects[effect_id].rates
        if r.source == source and r.unit == unit and r.value is not None
    ]


# -- readability ----------------------------------------------------------------------------------
def test_readability_grade_can_fail() -> None:
    dense = (
        "Prospective practitioner surveys quantifying adverse-event incidence following intramuscular "
        "stimulation demonstrated considerable heterogeneity attributable to methodological differences "
        "regarding denominators, classification thresholds, and retrospective ascertainment."
    )
    assert readability_grade(dense) > 12
    assert readability_grade("The cat sat on the mat. It was warm.") < 2
    with pytest.raises(ValueError):
        readability_grade("  ")


def test_readability_grade_never_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("textstat tried to download NLTK data")

    monkeypatch.setattr(nltk, "download", refuse)
    assert readability_grade("Physiotherapists occasionally recommend hydrotherapy afterwards.") > 8


@pytest.mark.parametrize("fees", [FEES, None], ids=["fees", "no_fees"])
@pytest.mark.parametrize("section_id", REQUIRED_SECTIONS)
def test_each_section_reads_at_grade_8_or_lower(section_id: str, fees: dict[str, Decimal] | None) -> None:
    section = next(s for s in _page(fees).sections if s.id == section_id)
    for text in (" ".join(section.paragraphs), section_text(section)):
        assert readability_grade(text) <= MAX_GRADE, (section_id, readability_grade(text))


@pytest.mark.parametrize("fees", [FEES, None], ids=["fees", "no_fees"])
def test_whole_page_reads_at_grade_8_or_lower(fees: dict[str, Decimal] | None) -> None:
    assert readability_grade(page_text(_page(fees))) <= MAX_GRADE


def test_consent_items_read_at_grade_8_or_lower() -> None:
    for item in consent_items():
        assert readability_grade(item.text) <= MAX_GRADE, item.id


# -- content ----------------------------------------------------------------------------------------
def test_sections_in_order_with_headings() -> None:
    page = _page()
    assert tuple(s.id for s in page.sections) == REQUIRED_SECTIONS
    assert page.title == "Dry needling at Riverside Physio"
    text = page_text(page)
    assert text.startswith("Dry needling at Riverside Physio\n\nWhat is dry needling?\n")
    assert all(s.heading in text and all(p in text for p in s.paragraphs) for s in page.sections)
    assert "{" not in text and "}" not in text


def test_side_effect_rates_come_from_the_knowledge_base() -> None:
    text = _section(_page(), "side_effects")
    brady, boyce = _rate("any_mild_brady", "brady_2014")[0], _rate("any_minor_boyce", "boyce_2020")[0]
    assert f"{round(brady, 1):g}%" in text and f"{round(boyce, 1):g}%" in text
    assert "19.2%" in text and "36.7%" in text
    assert "about one treatment in five" in text and "about one in three" in text
    for effect in ("bruising", "bleeding", "pain_during"):
        values = sorted({round(v) for v in _rate(effect, "brady_2014") + _rate(effect, "boyce_2020")})
        assert f"{values[0]} in 100" in text or f"{values[0]} to {values[-1]} in 100" in text
    assert "5 to 16 in 100" in text  # bleeding: Brady 4.65%, Boyce 16%
    assert "cramp" in text and "one or two days" in text


def test_serious_risks_cite_per_million_pneumothorax_figures() -> None:
    page = _page()
    text = _section(page, "serious_risks")
    per_million = _rate("pneumothorax", "lin_2019", "per_million_treatments")
    assert f"{min(per_million):g} of every million" in text and f"{max(per_million):g} per million" in text
    assert "collapsed lung" in text and "pneumothorax" in text and "short of breath" in text
    assert "1 in 1,000 treatments" in text  # Boyce 2020 major events, 0.098%
    assert "lin_2019" in next(s for s in page.sections if s.id == "serious_risks").sources


def test_rates_follow_the_knowledge_base_when_it_changes(data_copy: Path) -> None:
    path = data_copy / "side_effects.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(e for e in doc["side_effects"] if e["id"] == "any_mild_brady")
    entry["rates"][0]["value"] = 25.0
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    values = load_education(data_copy).values
    assert (values["brady_mild_pct"], values["brady_mild_in"]) == ("25%", "four")


def test_session_times_are_the_source_articles() -> None:
    text = _section(_page(), "session")
    assert "15 to 30 seconds" in text and "10 to 15 minutes" in text
    assert "article" in text and "did not find them in research studies" in text


def test_acupuncture_twitch_alternatives_and_duration() -> None:
    page = _page()
    assert "energy flow" in _section(page, "vs_acupuncture")
    assert "twitch response" in _section(page, "twitch")
    alternatives = _section(page, "alternatives")
    for choice in ("stretching", "massage", "heat", "exercise", "physical therapy", "medicines from your doctor"):
        assert choice in alternatives
    how_long = _section(page, "how_long")
    assert "12 weeks" in how_long and "more sessions" in how_long and "stretching" in how_long


# -- cost -----------------------------------------------------------------------------------------
def test_cost_section_with_fees() -> None:
    text = _section(_page(FEES), "cost")
    assert "CPT 20560 and 20561" in text and "do not pay" in text
    assert "Medicare does not pay" in text and "low back pain" in text
    assert "a visit at Riverside Physio costs $65.00 when we treat one or two muscles and $1,090.50" in text
    assert "ask us" not in text


def test_cost_section_with_one_fee() -> None:
    text = _section(_page({"20561": Decimal("80.00")}), "cost")
    assert "$80.00 when we treat three or more muscles." in text and "one or two" not in text


def test_other_codes_in_the_fee_schedule_are_ignored() -> None:
    text = _section(_page({"97110": Decimal("40"), "20560": Decimal("65"), "97810": 12.5}), "cost")  # type: ignore[dict-item]
    assert "$65.00 when we treat one or two muscles." in text and "$40" not in text


@pytest.mark.parametrize("fees", [None, {}, {"97110": Decimal("40")}], ids=["none", "empty", "no_dn_code"])
def test_cost_section_without_fees_says_ask_us(fees: dict[str, Decimal] | None) -> None:
    text = _section(_page(fees), "cost")
    assert "ask us" in text and "$" not in text


@pytest.mark.parametrize(
    ("fees", "match"),
    [
        ({"20560": Decimal("-1")}, "non-negative Decimal"),
        ({"20560": 65.0}, "non-negative Decimal"),
        ({"20560": Decimal("NaN")}, "non-negative Decimal"),
        ([("20560", Decimal("65"))], "must be a mapping"),
    ],
)
def test_bad_fees_raise(fees: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        education_page(clinic_name="A", fees=fees)


@pytest.mark.parametrize("name", ["", "   ", "Two\nlines", "x" * 121, None])
def test_bad_clinic_names_raise(name: Any) -> None:
    with pytest.raises(ValueError, match="clinic_name"):
        education_page(clinic_name=name, fees=None)


def test_clinic_name_with_braces_is_kept_verbatim() -> None:
    page = _page(FEES, clinic="{fee_sentence} Clinic")
    assert page.title == "Dry needling at {fee_sentence} Clinic"


# -- sources ------------------------------------------------------------------------------------------
def test_every_source_id_resolves() -> None:
    data = get_education()
    page = _page(FEES)
    assert page.sources == tuple(dict.fromkeys(s for sec in page.sections for s in sec.sources))
    for sid in page.sources:
        assert sid in KB.sources or sid in get_billing().sources, sid
        assert sid in data.sources
    assert {"source_article", "brady_2014", "boyce_2020", "lin_2019", "sanchez_infante_2021", "cms_ncd_30_3_3"} <= set(
        page.sources
    )


# -- consent ------------------------------------------------------------------------------------------
def test_consent_version_is_pinned_to_the_items() -> None:
    assert PINNED_CONSENT.get(CONSENT_VERSION) == consent_digest(), (
        "consent items changed: bump education.CONSENT_VERSION and pin the new digest in this test"
    )


def test_any_change_to_an_item_changes_the_digest() -> None:
    items = consent_items()
    base = consent_digest(items)
    first = items[0]
    for changed in (
        dataclasses.replace(first, text=first.text + " "),
        dataclasses.replace(first, required=False),
        dataclasses.replace(first, id="other"),
    ):
        assert consent_digest((changed, *items[1:])) != base
    assert consent_digest(tuple(reversed(items))) != base


def test_consent_has_a_separate_chest_wall_and_neck_item() -> None:
    items = {i.id: i for i in consent_items()}
    assert len(items) == len(consent_items())
    chest = items["chest_wall_neck"]
    assert "chest wall" in chest.text and "neck" in chest.text and "collapsed lung" in chest.text
    assert chest.required is False
    others = [i for i in consent_items() if i.id not in ("chest_wall_neck", "electrical")]
    assert all(i.required for i in others) and not any("chest wall" in i.text for i in others)


def test_chest_wall_neck_covers_the_lung_risk_and_neck_muscles() -> None:
    cover = {i.id: i for i in consent_items()}["chest_wall_neck"].covers
    assert cover is not None
    must = {"upper_trapezius", "pectoralis_major", "scalenes", "sternocleidomastoid", "suboccipitals"}
    must |= {m.id for m in KB.muscles.values() if m.lung_risk}
    assert all(cover.applies(KB.muscles[m], "pistoning") for m in must)
    assert not cover.applies(KB.muscles["gastrocnemius"], "pistoning")


def test_electrical_needling_has_its_own_optional_consent_item() -> None:
    item = {i.id: i for i in consent_items()}["electrical"]
    assert item.required is False and item.covers is not None
    assert item.covers.techniques == ("electrical",) and "electric" in item.text
    assert readability_grade(item.text) <= 8


# -- loading a broken file ------------------------------------------------------------------------------
def _edit(data_copy: Path, change: Any) -> None:
    path = data_copy / "education.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _sec(doc: dict[str, Any], section_id: str) -> dict[str, Any]:
    section: dict[str, Any] = next(s for s in doc["sections"] if s["id"] == section_id)
    return section


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: _sec(d, "twitch")["paragraphs"].append("About {twitch_pct} twitch."),
            "education.yaml: entry 'twitch': field 'paragraphs[2]': unknown placeholder '{twitch_pct}'",
        ),
        (
            lambda d: _sec(d, "twitch")["paragraphs"].append("About {brady_mild_pct} twitch."),
            "education.yaml: entry 'twitch': field 'sources': uses {brady_mild_pct} so must cite 'brady_2014'",
        ),
        (
            lambda d: _sec(d, "twitch").update(sources=["nope"]),
            "education.yaml: entry 'twitch': field 'sources': unknown source id 'nope'",
        ),
        (
            lambda d: d["sections"].remove(_sec(d, "cost")),
            "education.yaml: entry '-': field 'sections': expected the sections",
        ),
        (
            lambda d: d["consent"].pop(3),
            "education.yaml: entry 'chest_wall_neck': field 'consent': required consent item is missing",
        ),
        (
            lambda d: d["consent"][3]["covers"].update(muscles=["nope"]),
            "education.yaml: entry 'chest_wall_neck': field 'covers.muscles': unknown muscle id 'nope'",
        ),
        (
            lambda d: d["consent"][3]["covers"].update(lung_risk=False),
            "education.yaml: entry 'chest_wall_neck': field 'covers': does not cover",
        ),
        (
            lambda d: d["consent"][4].pop("covers"),
            "education.yaml: entry 'electrical': field 'covers': an optional item must say what it covers",
        ),
        (
            lambda d: d["consent"][4]["covers"].update(techniques=["laser"]),
            "education.yaml: entry 'electrical': field 'covers.techniques': 'laser' is not one of",
        ),
        (
            lambda d: d["fees"]["labels"].pop("20561"),
            "education.yaml: entry '-': field 'fees.labels': expected a plain-words label",
        ),
    ],
)
def test_broken_file_names_file_entry_and_field(data_copy: Path, kb: Knowledge, change: Any, message: str) -> None:
    _edit(data_copy, change)
    with pytest.raises(KnowledgeError) as info:
        load_education(data_copy, kb)
    assert str(info.value).startswith(message)


def test_packaged_file_loads_from_a_copy(data_copy: Path, kb: Knowledge) -> None:
    assert load_education(data_copy, kb).values == get_education().values
