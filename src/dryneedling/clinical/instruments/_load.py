"""Read and validate ``data/instruments.yaml`` (its own ``sources:`` block, like billing.yaml)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from .. import _build
from .._reader import Entry, labelled, read_yaml, require
from ..bodychart import DATA_DIR
from ..knowledge import Knowledge, Source, get_knowledge, load_knowledge
from ._model import (
    DIRECTIONS,
    KINDS,
    SCALES,
    SCORINGS,
    Instrument,
    InstrumentData,
    Loinc,
    ResponderThreshold,
    Sourced,
    Threshold,
)

T = TypeVar("T")
FILE = "instruments.yaml"
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
LOINC_RE = re.compile(r"^\d{1,7}-\d$")


def _sourced(e: Entry) -> Sourced:
    item = Sourced(text=e.text("text"), sources=e.sources(), evidence=e.evidence())
    e.finish()
    return item


def _threshold(e: Entry) -> Threshold:
    item = Threshold(
        id=e.text("id"),
        context=e.text("context"),
        value=e.number("value") or 0.0,
        scale=e.choice("scale", SCALES),
        default=e.flag("default"),
        note=e.opt_text("note"),
        sources=e.sources(),
        evidence=e.evidence(),
        relative=e.number("relative_percent", required=False),
    )
    e.finish()
    if item.relative is not None and not 0 < item.relative < 100:
        raise e.error("relative_percent", "must be between 0 and 100 (a percentage of baseline)")
    if not ID_RE.match(item.context):
        raise e.error("context", "expected a lower-case slug such as 'neck' or 'low_back'")
    if item.value <= 0:
        raise e.error("value", "must be greater than 0")
    return item


def _loinc(e: Entry) -> Loinc:
    item = Loinc(
        code=e.text("code"),
        display=e.text("display"),
        note=e.opt_text("note"),
        sources=e.sources(),
        evidence=e.evidence(),
    )
    e.finish()
    if not LOINC_RE.match(item.code):
        raise e.error("code", f"'{item.code}' is not a LOINC code")
    return item


def _responder(e: Entry) -> ResponderThreshold:
    item = ResponderThreshold(
        value=e.integer("value") or 0, note=e.opt_text("note"), sources=e.sources(), evidence=e.evidence()
    )
    e.finish()
    return item


def _range(e: Entry, name: str, *, required: bool = True) -> tuple[float, float] | None:
    value = e.raw_value(name, required=required)
    if value is None:
        return None
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )
    if not ok or value[0] >= value[1]:
        raise e.error(name, "expected [low, high] with low < high")
    return (float(value[0]), float(value[1]))


def _count(e: Entry) -> tuple[int, int] | None:
    value = e.raw_value("item_count", required=False)
    if value is None:
        return None
    pair = [value, value] if isinstance(value, int) and not isinstance(value, bool) else value
    ok = isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
    if not ok or not 1 <= pair[0] <= pair[1]:
        raise e.error("item_count", "expected a positive integer or [fewest, most]")
    return (pair[0], pair[1])


def _optional(e: Entry, name: str, build: Callable[[Entry], T]) -> T | None:
    if e.raw_value(name, required=False) is None:
        return None
    return build(e.sub(name))


def _thresholds(e: Entry, name: str) -> tuple[Threshold, ...]:
    value = e.raw_value(name)
    if not isinstance(value, list):
        raise e.error(name, "expected a list (may be empty)")
    return tuple(_threshold(s) for s in e.subs(name, required=False)) if value else ()


def _instrument(e: Entry) -> Instrument:
    item = Instrument(
        id=e.text("id"),
        name=e.text("name"),
        aliases=e.texts("aliases"),
        kind=e.choice("kind", KINDS),
        item_count=_count(e),
        item_range=_range(e, "item_range", required=False),
        integer_items=e.flag("integer_items"),
        scoring=e.choice("scoring", SCORINGS),
        percent=e.flag("percent"),
        total_range=_range(e, "total_range") or (0.0, 0.0),
        unit=e.text("unit"),
        direction=e.choice("direction", DIRECTIONS),
        max_missing=e.integer("max_missing") or 0,
        missing_rule=_sourced(e.sub("missing_rule")),
        reproduce_items=e.flag("reproduce_items", default=False),
        licence=e.text("licence"),
        item_text=e.texts("item_text", required=False),
        loinc=_optional(e, "loinc", _loinc),
        timing=_optional(e, "timing", _sourced),
        mcids=_thresholds(e, "mcids"),
        mdcs=_thresholds(e, "mdcs"),
        responder_threshold=_optional(e, "responder_threshold", _responder),
        notes=e.opt_text("notes"),
        sources=e.sources(),
        evidence=e.evidence(),
    )
    if "reproduce_items" not in e.raw:
        raise e.error("reproduce_items", "missing required field (state the licence position explicitly)")
    e.finish()
    _check_instrument(item, e)
    return item


def _check_instrument(i: Instrument, e: Entry) -> None:
    def need(ok: object, field: str, problem: str) -> None:
        if not ok:
            raise e.error(field, problem)

    need(ID_RE.match(i.id), "id", "expected a lower-case slug")
    total_only = i.scoring == "total_only"
    need((i.item_count is None) == total_only, "item_count", "required unless scoring is total_only (then absent)")
    need((i.item_range is None) == total_only, "item_range", "required unless scoring is total_only (then absent)")
    need(i.item_text == () or i.reproduce_items, "item_text", "item wording is not allowed: reproduce_items is false")
    need(
        0 <= i.max_missing and (i.item_count is None or i.max_missing < i.item_count[0]),
        "max_missing",
        "must be at least 0 and below the item count",
    )
    need(not total_only or i.max_missing == 0, "max_missing", "must be 0 for a total-only instrument")
    if i.item_count is not None and i.item_range is not None:
        (n_lo, n_hi), (lo, hi) = i.item_count, i.item_range
        need(i.scoring != "single" or (n_lo, n_hi) == (1, 1), "item_count", "a single-item instrument has 1 item")
        need(i.scoring not in ("sum", "rescaled") or n_lo == n_hi, "item_count", "sum and rescaled need a fixed count")
        expected = {"single": (lo, hi), "mean": (lo, hi), "sum": (n_lo * lo, n_lo * hi), "rescaled": (0.0, 100.0)}
        need(
            i.total_range == expected[i.scoring],
            "total_range",
            f"expected {list(expected[i.scoring])} for scoring {i.scoring}",
        )
    need(not (i.percent and i.scoring in ("single", "mean")), "percent", "only for sum, rescaled or total_only")
    for name, group in (("mcids", i.mcids), ("mdcs", i.mdcs)):
        ids = [t.id for t in group]
        need(len(set(ids)) == len(ids), name, "duplicate threshold id")
        # An MCID always has a fallback; an MDC is region-specific, so it may have none (then only its own
        # context gets one: a neck MDC is never applied to low back pain).
        defaults = sum(t.default for t in group)
        need(
            not group or defaults == 1 or (name == "mdcs" and defaults == 0),
            name,
            "exactly one entry must be marked default",
        )
        need(name == "mcids" or all(t.relative is None for t in group), name, "relative_percent is for MCIDs only")
        need(
            i.direction == "higher_is_worse" or all(t.relative is None for t in group),
            name,
            "relative_percent needs direction higher_is_worse (a reduction from baseline)",
        )
        need(all(t.scale == "value" or i.percent for t in group), name, "scale 'percent' needs percent: true")
        span = i.total_range[1] - i.total_range[0]
        need(all(i.in_score_units(t) <= span for t in group), name, "a threshold exceeds the total range")
    is_change = i.kind == "change"
    need((i.responder_threshold is not None) == is_change, "responder_threshold", "required for kind change only")
    if i.responder_threshold is not None:
        need(
            0 < i.responder_threshold.value <= i.total_range[1],
            "responder_threshold.value",
            "must be a positive score on the scale",
        )
    need(not is_change or not i.mcids, "mcids", "a change scale has a responder threshold, not MCIDs")


def _check(ok: object, entry: str, field: str, problem: str) -> None:
    require(ok, FILE, entry, field, problem)


def _cited(i: Instrument) -> list[tuple[str, tuple[str, ...]]]:
    parts = [i.missing_rule, i.timing, i.loinc, i.responder_threshold, *i.mcids, *i.mdcs]
    return [(i.id, i.sources)] + [(i.id, p.sources) for p in parts if p is not None]


def load_instrument_data(data_dir: Path | None = None, knowledge: Knowledge | None = None) -> InstrumentData:
    """Read and validate ``instruments.yaml``; source ids resolve here or in ``sources.yaml``."""
    knowledge = knowledge or (load_knowledge(data_dir) if data_dir else get_knowledge())
    path = (data_dir or DATA_DIR) / FILE
    top = Entry(read_yaml(path), file=path.name, entry="-")
    known = dict(knowledge.sources)
    own: dict[str, Source] = {}
    for e in labelled(top, "sources"):
        src = _build.build_source(e)
        _check(src.id not in own and src.id not in known, src.id, "id", "duplicate source id")
        own[src.id] = src
    preference = top.texts("function_preference")
    instruments: dict[str, Instrument] = {}
    aliases: dict[str, str] = {}
    for e in labelled(top, "instruments"):
        item = _instrument(e)
        _check(item.id not in instruments, item.id, "id", "duplicate id")
        instruments[item.id] = item
        for alias in item.aliases:
            other = aliases.setdefault(alias.casefold(), item.id)
            _check(other == item.id, item.id, "aliases", f"alias '{alias}' is also used by '{other}'")
    top.finish()
    cited = [pair for i in instruments.values() for pair in _cited(i)]
    for owner, ids in cited:
        for sid in ids:
            _check(sid in own or sid in known, owner, "sources", f"unknown source id '{sid}'")
    unused = sorted(set(own) - {s for _, ids in cited for s in ids})
    _check(not unused, unused[0] if unused else "-", "id", "source is never cited")
    for iid in preference:
        _check(iid in instruments, "-", "function_preference", f"unknown instrument id '{iid}'")
        _check(instruments[iid].kind == "function", "-", "function_preference", f"'{iid}' is not a function measure")
    return InstrumentData(
        sources=MappingProxyType({**known, **own}),
        instruments=MappingProxyType(instruments),
        function_preference=preference,
    )


@lru_cache(maxsize=1)
def get_instrument_data() -> InstrumentData:
    """The packaged instrument catalogue, loaded once per process."""
    return load_instrument_data()
