"""Home-care plans in proportion: a capped default from what was needled, more suggestions one click
away, drawings and doses in words, no source ids shown to the patient, one or two printed pages."""

# ruff: noqa: F811
from __future__ import annotations

import re
from io import BytesIO
from types import SimpleNamespace

import pytest
import yaml

from dryneedling.clinical.bodychart import DATA_DIR
from dryneedling.clinical.homecare import (
    DEFAULT_MAX_ITEMS,
    SAFETY_KINDS,
    build_plan,
    get_homecare,
    plan_to_dict,
    suggestions,
)
from dryneedling.clinical.knowledge import get_knowledge
from tests.conftest import csrf_token
from tests.followup.test_links_and_pages import path_of
from tests.treatment.conftest import episode_a, finish, ready_episode, record, start_session  # noqa: F401

LIB = get_homecare()
KB = get_knowledge()
DRAWN_KINDS = ("stretch", "self_care", "yoga", "strength")
TEMPLATES = DATA_DIR.parents[1] / "templates" / "homecare" / "illustrations"


def _yaml_source_ids() -> set[str]:
    """Every source id homecare.yaml defines or cites."""
    doc = yaml.safe_load((DATA_DIR / "homecare.yaml").read_text(encoding="utf-8"))
    return {s["id"] for s in doc["sources"]} | {sid for item in doc["items"] for sid in item["sources"]}


def _pdf_text(data: bytes) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    return "\n".join(p.extract_text() or "" for p in reader.pages), len(reader.pages)


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def assert_no_source_ids(text: str) -> None:
    for sid in sorted(_yaml_source_ids()):
        assert not re.search(rf"\b{re.escape(sid)}\b", text), sid
    assert not re.search(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b", text), re.findall(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b", text)


# -- drawings and doses ----------------------------------------------------------------------------
@pytest.mark.parametrize("item_id", [lib.item.id for lib in LIB.items if lib.kind in DRAWN_KINDS])
def test_every_stretch_and_exercise_has_a_drawing_and_a_dose_in_words(item_id: str) -> None:
    item = next(lib.item for lib in LIB.items if lib.item.id == item_id)
    svg = (TEMPLATES / f"{item_id}.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and 'role="img"' in svg and "viewBox=" in svg
    title = re.search(r"<title>([^<]+)</title>", svg)
    assert title and len(title.group(1)) > 10, item_id  # alt text in words
    assert "{" not in svg and "<script" not in svg.lower()
    dose = item.dose or ""
    assert re.fullmatch(r"[A-Z0-9][^\n]*[a-z0-9]\.", dose), dose  # a sentence
    assert re.search(r"\b(second|minute|time|round|set|day|week)s?\b", dose), dose
    assert not re.search(r"\b(reps?|sec|min|x)\b|\d+\s*[x×]\s*\d+|[{}_=:]", dose), dose  # no raw fields


# -- the plan from the record ------------------------------------------------------------------------
def _gluteal_episode(alice, episode):  # type: ignore[no-untyped-def]
    session = start_session(alice, episode)
    record(
        alice,
        session,
        muscle_id="gluteus_maximus",
        needle_length_mm=50,
        override_reason="Palpated, sciatic notch avoided",
    )
    finish(alice, session)
    return episode


@pytest.mark.django_db
def test_one_gluteal_point_makes_a_short_hip_plan_and_the_rest_are_suggestions(alice, ready_episode):
    from dryneedling.followup.homecare import home_care_more, home_care_plan_create

    plan = home_care_plan_create(actor=alice, episode=_gluteal_episode(alice, ready_episode)).plan
    ids = [i["id"] for s in plan["sections"] for i in s["items"]]
    assert len(ids) <= DEFAULT_MAX_ITEMS and "stretch_figure_four" in ids
    for item_id in ids:
        lib = next(lib for lib in LIB.items if lib.item.id == item_id)
        assert not lib.muscles or {LIB.area_of[m] for m in lib.muscles} & {"hip", "low_back"}, item_id
    more = home_care_more(episode=ready_episode, plan=plan)
    assert more and not {s.item.id for s in more} & set(ids)
    assert "chin_tuck" not in {s.item.id for s in more}


@pytest.mark.django_db
def test_adding_a_suggestion_puts_it_in_its_section_and_refuses_unknown_or_present(alice, ready_episode):
    from django.core.exceptions import ValidationError

    from dryneedling.followup.homecare import home_care_more, home_care_plan_create, home_care_plan_update

    record_ = home_care_plan_create(actor=alice, episode=_gluteal_episode(alice, ready_episode))
    extra = next(s for s in home_care_more(episode=ready_episode, plan=record_.plan) if s.kind == "yoga")
    updated = home_care_plan_update(actor=alice, record=record_, expected_version=1, edits={}, add=[extra.item.id])
    section = next(s for s in updated.plan["sections"] if extra.item.id in [i["id"] for i in s["items"]])
    assert section["title"] == "Gentle yoga"
    for bad, message in ((extra.item.id, "already in the plan"), ("no_such_item", "No such suggestion")):
        with pytest.raises(ValidationError, match=message):
            home_care_plan_update(actor=alice, record=updated, expected_version=2, edits={}, add=[bad])
    updated.refresh_from_db()
    assert updated.version == 2


@pytest.mark.django_db
def test_editor_offers_more_suggestions_and_the_patient_sees_only_what_was_kept(
    alice, alice_client, anon_client, ready_episode
):  # type: ignore[no-untyped-def]
    from dryneedling.followup.homecare import home_care_link
    from dryneedling.followup.models import HomeCarePlan

    _gluteal_episode(alice, ready_episode)
    url = f"/episodes/{ready_episode.pk}/home-care/"
    alice_client.post(url, {"csrfmiddlewaretoken": csrf_token(alice_client, url)})
    plan = HomeCarePlan.unscoped.get().plan
    items = [i for s in plan["sections"] for i in s["items"]]
    page = alice_client.get(url).content.decode()
    more = re.search(r"Show (\d+) more suggestions", page)
    assert more and int(more.group(1)) >= 3
    assert "homecare_project_wording" not in page  # the clinician reads sources in words too
    form = {"csrfmiddlewaretoken": csrf_token(alice_client, url), "version": "1", "note": "", "add": "yoga_lying_twist"}
    for item in items:
        if item["id"] != "stretch_outer_hip":  # dropped by the clinician
            form[f"keep-{item['id']}"] = "on"
    assert "Suggestion added" in alice_client.post(url, form, follow=True).content.decode()
    record_ = HomeCarePlan.unscoped.get()
    kept = [i["id"] for s in record_.plan["sections"] for i in s["items"]]
    assert "yoga_lying_twist" in kept and "stretch_outer_hip" not in kept
    public = path_of(home_care_link(record_))
    html = anon_client.get(public).content.decode()
    assert "Lying knee twist" in html and "Standing outer hip stretch" not in html
    assert html.count("<svg") >= 2 and "<title>" in html and "How much:" in html
    assert_no_source_ids(_visible(html))
    for sid in _yaml_source_ids():
        assert not re.search(rf"\b{re.escape(sid)}\b", html), sid
    text, pages = _pdf_text(anon_client.get(public + "plan.pdf").content)
    assert "Lying knee twist" in text and pages <= 2
    assert_no_source_ids(text)


# -- one or two printed pages ------------------------------------------------------------------------
def _largest_default_plan() -> dict:  # type: ignore[type-arg]
    combos = [([m], c) for m in KB.muscles for c in [None, *KB.conditions]]
    combos += [(list(c.muscles), c.id) for c in KB.conditions.values()]

    def size(muscles: list[str], condition: str | None) -> int:
        plan = build_plan(muscle_ids=muscles, condition_id=condition)
        return sum(
            len(i.instructions) + len(i.dose or "") + sum(map(len, i.cautions)) + 400 * (i.id != "")
            for s in plan.sections
            for i in s.items
        )

    muscles, condition = max(combos, key=lambda mc: size(*mc))
    return plan_to_dict(build_plan(muscle_ids=muscles, condition_id=condition))


def test_the_largest_default_plan_prints_on_at_most_two_pages() -> None:
    from dryneedling.clinical.homecare import patient_citations
    from dryneedling.treatment.pdf import render_pdf

    plan = _largest_default_plan()
    assert sum(len(s["items"]) for s in plan["sections"]) == DEFAULT_MAX_ITEMS
    plan["sections"].append(
        {
            "title": "From your clinician",
            "items": [
                {
                    "id": "clinician-note",
                    "title": "Notes",
                    "instructions": "x " * 150,
                    "dose": None,
                    "cautions": [],
                    "sources": [],
                    "evidence": "V",
                }
            ],
        }
    )
    context = {
        "plan": plan,
        "clinic": SimpleNamespace(name="Harbour Physio"),
        "citations": patient_citations(plan["sources"]),
    }
    text, pages = _pdf_text(render_pdf("public/home_care_pdf.html", context))
    assert pages <= 2, pages
    assert_no_source_ids(text)


def test_safety_items_are_in_every_default_plan() -> None:
    safety = {lib.item.id for lib in LIB.items if lib.kind in SAFETY_KINDS}
    for condition in KB.conditions:
        ranked = suggestions(muscle_ids=[], condition_id=condition)
        assert safety <= {s.item.id for s in ranked[: len(safety)]}
