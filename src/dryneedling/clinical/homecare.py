"""Home-care plans for patients after dry needling: heat, stretches, yoga, strengthening, after-care.

The library and its own sources live in ``data/homecare.yaml``; every other cited source id resolves
in ``sources.yaml``. :func:`build_plan` picks the items for the muscles needled and the condition
treated: ranked by relevance (:mod:`.homecare_rank`), after-care and red flags always, at most
``DEFAULT_MAX_ITEMS`` items by default; :func:`suggestions` gives the whole ranked list. A plan can
be stored as JSON (:func:`plan_to_dict`) after a clinician edits it, and read back with validation
(:func:`plan_from_dict`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import _build
from ._reader import Entry, labelled, read_yaml, require
from .bodychart import DATA_DIR
from .homecare_rank import DEFAULT_MAX_ITEMS, Suggestion, default_ids, rank
from .homecare_rank import SAFETY_KINDS as SAFETY_KINDS
from .knowledge import EVIDENCE_TAGS, Knowledge, Source, get_knowledge, load_knowledge

KINDS: tuple[str, ...] = ("after_care", "red_flag", "heat", "stretch", "self_care", "yoga", "strength")
MUSCLE_KINDS: frozenset[str] = frozenset({"stretch", "self_care", "yoga"})
DOSE_KINDS: frozenset[str] = frozenset({"heat", "stretch", "self_care", "yoga", "strength"})
# Section title -> the kinds it holds, in plan order.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("After your needling", ("after_care",)),
    ("When to get help", ("red_flag",)),
    ("Heat", ("heat",)),
    ("Stretches and self-care", ("stretch", "self_care")),
    ("Strengthening exercises", ("strength",)),
    ("Gentle yoga", ("yoga",)),
)
PLAN_FORMAT = 1
MAX_SECTIONS, MAX_ITEMS, MAX_LIST = 20, 100, 20
MAX_TITLE, MAX_TEXT = 200, 2000


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    instructions: str
    dose: str | None
    cautions: tuple[str, ...]
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class HomeCarePlan:
    sections: tuple[Section, ...]
    sources: tuple[str, ...]  # every source id cited by the items, in order of first use


@dataclass(frozen=True)
class LibraryItem:
    """One entry of ``homecare.yaml``: the patient-facing :class:`Item` plus what selects it."""

    kind: str
    item: Item
    muscles: tuple[str, ...]
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class Area:
    """An area of the body (``areas`` in homecare.yaml): its muscles share the ``region`` rank."""

    id: str
    name: str
    muscles: tuple[str, ...]


@dataclass(frozen=True)
class HomeCareData:
    """``sources``: homecare.yaml's own plus the knowledge base's."""

    sources: Mapping[str, Source]
    items: tuple[LibraryItem, ...]  # in file order
    areas: Mapping[str, Area]
    area_of: Mapping[str, str]  # muscle id -> area id

    def by_muscle(self, muscle_id: str) -> tuple[LibraryItem, ...]:
        return tuple(i for i in self.items if muscle_id in i.muscles)


# -- data ---------------------------------------------------------------------------------------
def _library_item(e: Entry, knowledge: Knowledge) -> LibraryItem:
    kind = e.choice("kind", KINDS)
    item = Item(
        id=e.text("id"),
        title=e.text("title"),
        instructions=e.text("instructions"),
        dose=e.text("dose") if kind in DOSE_KINDS else e.opt_text("dose"),
        cautions=e.texts("cautions", required=False),
        sources=e.sources(),
        evidence=e.evidence(),
    )
    muscles = e.texts("muscles", required=kind in MUSCLE_KINDS)
    conditions = e.texts("conditions", required=kind == "strength")
    e.finish()
    if muscles and kind not in MUSCLE_KINDS:
        raise e.error("muscles", f"only {', '.join(sorted(MUSCLE_KINDS))} items list muscles")
    if conditions and kind != "strength":
        raise e.error("conditions", "only strength items list conditions")
    for m in muscles:
        require(m in knowledge.muscles, e.file, e.entry, "muscles", f"unknown muscle id '{m}'")
    for c in conditions:
        require(c in knowledge.conditions, e.file, e.entry, "conditions", f"unknown condition id '{c}'")
    return LibraryItem(kind=kind, item=item, muscles=muscles, conditions=conditions)


def load_homecare(data_dir: Path | None = None, knowledge: Knowledge | None = None) -> HomeCareData:
    """Read and validate ``homecare.yaml``: ids, kinds, source ids, and cover of every muscle and condition."""
    knowledge = knowledge or (load_knowledge(data_dir) if data_dir else get_knowledge())
    path = (data_dir or DATA_DIR) / "homecare.yaml"
    f, top = path.name, Entry(read_yaml(path), file=path.name, entry="-")
    known = dict(knowledge.sources)
    own: dict[str, Source] = {}
    for e in labelled(top, "sources"):
        src = _build.build_source(e)
        require(src.id not in own and src.id not in known, f, src.id, "id", "duplicate source id")
        own[src.id] = src
    areas: dict[str, Area] = {}
    area_of: dict[str, str] = {}
    for e in labelled(top, "areas"):
        area = Area(id=e.text("id"), name=e.text("name"), muscles=e.texts("muscles"))
        e.finish()
        require(area.id not in areas, f, area.id, "id", "duplicate area id")
        for m in area.muscles:
            require(m in knowledge.muscles, f, area.id, "muscles", f"unknown muscle id '{m}'")
            require(m not in area_of, f, area.id, "muscles", f"muscle '{m}' is already in area '{area_of.get(m)}'")
            area_of[m] = area.id
        areas[area.id] = area
    homeless = [m for m in knowledge.muscles if m not in area_of]
    require(not homeless, f, "-", "areas", f"muscle '{homeless[0] if homeless else ''}' is in no area")
    items: list[LibraryItem] = []
    for e in labelled(top, "items"):
        lib = _library_item(e, knowledge)
        require(all(lib.item.id != i.item.id for i in items), f, lib.item.id, "id", "duplicate id")
        items.append(lib)
    top.finish()
    for lib in items:
        for sid in lib.item.sources:
            require(sid in own or sid in known, f, lib.item.id, "sources", f"unknown source id '{sid}'")
    unused = sorted(set(own) - {s for i in items for s in i.item.sources})
    require(not unused, f, unused[0] if unused else "-", "id", "source is never cited")
    covered = {m for i in items if i.kind in ("stretch", "self_care") for m in i.muscles}
    bare = [m for m in knowledge.muscles if m not in covered]
    require(not bare, f, "-", "items", f"muscle '{bare[0] if bare else ''}' has no stretch or self_care item")
    trained = {c for i in items for c in i.conditions}
    lone = [c for c in knowledge.conditions if c not in trained]
    require(not lone, f, "-", "items", f"condition '{lone[0] if lone else ''}' has no strength item")
    for kind in ("after_care", "red_flag", "heat"):
        require(any(i.kind == kind for i in items), f, "-", "items", f"at least one {kind} item is required")
    return HomeCareData(
        sources=MappingProxyType({**known, **own}),
        items=tuple(items),
        areas=MappingProxyType(areas),
        area_of=MappingProxyType(area_of),
    )


@lru_cache(maxsize=1)
def get_homecare() -> HomeCareData:
    """The packaged home-care library, loaded once per process."""
    return load_homecare()


# -- plans --------------------------------------------------------------------------------------
def _plan_sources(sections: Sequence[Section]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for sec in sections for item in sec.items for s in item.sources))


def _check(muscle_ids: Sequence[str], condition_id: str | None) -> Knowledge:
    knowledge = get_knowledge()
    if isinstance(muscle_ids, str) or not isinstance(muscle_ids, Sequence):
        raise ValueError("muscle_ids must be a list of muscle ids, not a single string")
    for m in muscle_ids:
        if not isinstance(m, str) or m not in knowledge.muscles:
            raise ValueError(f"unknown muscle id {m!r}")
    if condition_id is not None and (not isinstance(condition_id, str) or condition_id not in knowledge.conditions):
        raise ValueError(f"unknown condition id {condition_id!r}")
    return knowledge


def suggestions(*, muscle_ids: Sequence[str], condition_id: str | None) -> tuple[Suggestion, ...]:
    """Every library item relevant to the muscles needled and the condition, best first (see
    :mod:`.homecare_rank`); items for other parts of the body are not in it."""
    knowledge = _check(muscle_ids, condition_id)
    return rank(get_homecare(), knowledge, muscle_ids=muscle_ids, condition_id=condition_id)


def plan_of(items: Sequence[Item], kinds: Mapping[str, str]) -> HomeCarePlan:
    """The items (kind by id in ``kinds``) in sections, in ``SECTIONS`` order; empty sections left out."""
    sections = []
    for title, section_kinds in SECTIONS:
        chosen = tuple(i for i in items if kinds.get(i.id) in section_kinds)
        if chosen:
            sections.append(Section(title=title, items=chosen))
    return HomeCarePlan(sections=tuple(sections), sources=_plan_sources(sections))


def build_plan(
    *, muscle_ids: Sequence[str], condition_id: str | None, max_items: int | None = DEFAULT_MAX_ITEMS
) -> HomeCarePlan:
    """The default plan for the muscles needled and the condition treated (``None``: no strengthening).

    After-care and red flags always; then the most relevant items (an exercise for a muscle needled,
    then for its area of the body, then strengthening for the condition, then heat) up to
    ``max_items`` in all (``None``: every relevant item). Within a section the most relevant item comes
    first; the same input always gives the same plan.
    """
    ranked = suggestions(muscle_ids=muscle_ids, condition_id=condition_id)
    keep = default_ids(ranked, max_items)
    return plan_of([s.item for s in ranked if s.item.id in keep], {s.item.id: s.kind for s in ranked})


def add_items(plan: HomeCarePlan, item_ids: Sequence[str]) -> HomeCarePlan:
    """The plan with these library items added, each in its kind's section (made if missing, in
    ``SECTIONS`` order; sections of other titles stay last). An unknown or present id: ``ValueError``."""
    library = {lib.item.id: lib for lib in get_homecare().items}
    present = {i.id for sec in plan.sections for i in sec.items}
    order = [title for title, _ in SECTIONS]
    sections = {sec.title: list(sec.items) for sec in plan.sections}
    for item_id in item_ids:
        lib = library.get(item_id)
        if lib is None:
            raise ValueError(f"No such suggestion: {item_id!r}.")
        if item_id in present:
            raise ValueError(f"“{lib.item.title}” is already in the plan.")
        present.add(item_id)
        title = next(t for t, kinds in SECTIONS if lib.kind in kinds)
        sections.setdefault(title, []).append(lib.item)
    titles = sorted(sections, key=lambda t: order.index(t) if t in order else len(order))
    built = tuple(Section(title=t, items=tuple(sections[t])) for t in titles)
    return HomeCarePlan(sections=built, sources=_plan_sources(built))


def patient_citations(source_ids: Sequence[str]) -> tuple[str, ...]:
    """The plan's sources as a patient reads them: authors and title in words, never an id. The
    project's own wording is left out (it is not a publication); a parenthesis is dropped."""
    data = get_homecare()
    own = {"homecare_project_wording"}
    out: list[str] = []
    for sid in source_ids:
        src = data.sources.get(sid)
        if src is None or sid in own:
            continue
        text = re.sub(r"\s*\([^)]*\)", "", src.citation)
        parts = [p for p in re.split(r"(?<=[a-z0-9\]])\.\s+", text) if p]
        short = ". ".join(parts[:2]).rstrip(".") + "."
        out.append(short)
    return tuple(dict.fromkeys(out))


# -- JSON ---------------------------------------------------------------------------------------
def plan_to_dict(plan: HomeCarePlan) -> dict[str, Any]:
    """A JSON-ready dict of the plan (lists, strings and ``None`` only)."""
    return {
        "format": PLAN_FORMAT,
        "sections": [
            {
                "title": sec.title,
                "items": [
                    {
                        "id": it.id,
                        "title": it.title,
                        "instructions": it.instructions,
                        "dose": it.dose,
                        "cautions": list(it.cautions),
                        "sources": list(it.sources),
                        "evidence": it.evidence,
                    }
                    for it in sec.items
                ],
            }
            for sec in plan.sections
        ],
        "sources": list(plan.sources),
    }


def _keys(raw: Any, where: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object")
    extra, missing = sorted(set(raw) - keys), sorted(keys - set(raw))
    if extra:
        raise ValueError(f"{where}: unknown field {extra[0]!r}")
    if missing:
        raise ValueError(f"{where}: missing field {missing[0]!r}")
    return raw


def _str(raw: Any, where: str, limit: int, *, optional: bool = False) -> str | None:
    if raw is None and optional:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"{where}: expected a non-empty string")
    if len(raw) > limit:
        raise ValueError(f"{where}: longer than {limit} characters")
    return raw.strip()


def _strs(raw: Any, where: str, limit: int, *, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(raw, list) or len(raw) > MAX_LIST or (not raw and not allow_empty):
        raise ValueError(
            f"{where}: expected a list of 1 to {MAX_LIST} strings"
            if not allow_empty
            else f"{where}: expected a list of at most {MAX_LIST} strings"
        )
    return tuple(str(_str(v, f"{where}[{i}]", limit)) for i, v in enumerate(raw))


def _item(raw: Any, where: str, known_sources: Mapping[str, Source]) -> Item:
    d = _keys(raw, where, {"id", "title", "instructions", "dose", "cautions", "sources", "evidence"})
    sources = _strs(d["sources"], f"{where}.sources", MAX_TITLE, allow_empty=False)
    for sid in sources:
        if sid not in known_sources:
            raise ValueError(f"{where}.sources: unknown source id {sid!r}")
    if d["evidence"] not in EVIDENCE_TAGS:
        raise ValueError(f"{where}.evidence: expected one of {', '.join(EVIDENCE_TAGS)}")
    return Item(
        id=str(_str(d["id"], f"{where}.id", MAX_TITLE)),
        title=str(_str(d["title"], f"{where}.title", MAX_TITLE)),
        instructions=str(_str(d["instructions"], f"{where}.instructions", MAX_TEXT)),
        dose=_str(d["dose"], f"{where}.dose", MAX_TITLE, optional=True),
        cautions=_strs(d["cautions"], f"{where}.cautions", MAX_TEXT, allow_empty=True),
        sources=sources,
        evidence=d["evidence"],
    )


def plan_from_dict(raw: Any) -> HomeCarePlan:
    """Read back a stored (possibly clinician-edited) plan; raise ``ValueError`` naming the bad field.

    Items may be edited, removed, reordered or added, but every item needs an id unique in the plan,
    known source ids and an evidence tag; ``sources`` must list exactly the items' sources in order of use.
    """
    d = _keys(raw, "plan", {"format", "sections", "sources"})
    if d["format"] != PLAN_FORMAT:
        raise ValueError(f"plan.format: expected {PLAN_FORMAT}, got {d['format']!r}")
    if not isinstance(d["sections"], list) or not 1 <= len(d["sections"]) <= MAX_SECTIONS:
        raise ValueError(f"plan.sections: expected a list of 1 to {MAX_SECTIONS} sections")
    known = get_homecare().sources
    sections: list[Section] = []
    seen: set[str] = set()
    for i, rs in enumerate(d["sections"]):
        where = f"plan.sections[{i}]"
        s = _keys(rs, where, {"title", "items"})
        if not isinstance(s["items"], list) or not 1 <= len(s["items"]) <= MAX_ITEMS:
            raise ValueError(f"{where}.items: expected a list of 1 to {MAX_ITEMS} items")
        items = tuple(_item(r, f"{where}.items[{j}]", known) for j, r in enumerate(s["items"]))
        for it in items:
            if it.id in seen:
                raise ValueError(f"{where}: duplicate item id {it.id!r}")
            seen.add(it.id)
        sections.append(Section(title=str(_str(s["title"], f"{where}.title", MAX_TITLE)), items=items))
    expected = _plan_sources(sections)
    if not isinstance(d["sources"], list) or tuple(d["sources"]) != expected:
        raise ValueError(f"plan.sources: expected the items' sources in order of use: {', '.join(expected)}")
    return HomeCarePlan(sections=tuple(sections), sources=expected)
