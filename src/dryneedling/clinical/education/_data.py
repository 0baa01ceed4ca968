"""Education data: the dataclasses, the rates computed from the knowledge base, and the loader of
``data/education.yaml`` (validated, cached)."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from .._reader import Entry, labelled, read_yaml
from ..billing import get_billing, load_billing
from ..bodychart import DATA_DIR
from ..knowledge import Knowledge, KnowledgeError, Rate, Source, get_knowledge, load_knowledge
from ._consent import ConsentCover, check_chest_wall, read_covers

CONSENT_VERSION = "2026.12-1"
"""Bump whenever any consent item changes; tests pin :func:`consent_digest` to this version."""

REQUIRED_SECTIONS: tuple[str, ...] = (
    "what_is",
    "vs_acupuncture",
    "twitch",
    "session",
    "side_effects",
    "serious_risks",
    "alternatives",
    "cost",
    "how_long",
)
REQUIRED_CONSENT: tuple[str, ...] = ("chest_wall_neck",)
MAX_CLINIC_NAME = 120
_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


@dataclass(frozen=True)
class EduSection:
    id: str
    heading: str
    paragraphs: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class EducationPage:
    title: str
    sections: tuple[EduSection, ...]
    sources: tuple[str, ...]  # every section's sources, in order of first use


@dataclass(frozen=True)
class ConsentItem:
    id: str
    text: str
    required: bool
    covers: ConsentCover | None = None
    label: str = ""  # an optional item's short name: "did not agree to <label>"


@dataclass(frozen=True)
class EducationData:
    """The templates of ``education.yaml`` with the knowledge-base values they use, already computed."""

    sources: Mapping[str, Source]  # sources.yaml + billing.yaml's own sources
    title: str
    sections: tuple[EduSection, ...]  # paragraphs are still templates
    fee_known: str
    fee_unknown: str
    fee_labels: Mapping[str, str]  # CPT code -> plain words, in file order
    values: Mapping[str, str]  # placeholder -> text, from the knowledge base
    consent: tuple[ConsentItem, ...]


# -- numbers from the knowledge base ------------------------------------------------------------
def _words(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


def _pct(value: float) -> str:
    """At most one decimal place, as in the source: 19.18 -> '19.2%', 36.7 -> '36.7%', 16.0 -> '16%'."""
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text}%"


def _one_in(percent: float) -> int:
    """'1 in N' from a percentage: N rounded to a whole number below 10, else to two significant figures
    (36.7% -> 3; 19.18% -> 5; 0.098% -> 1,000)."""
    n = 100 / percent
    return round(n) if n < 10 else int(float(f"{n:.2g}"))


def _rates(knowledge: Knowledge, effect_id: str, unit: str, source: str | None = None) -> list[Rate]:
    effect = knowledge.side_effects.get(effect_id)
    rates = [
        r
        for r in (effect.rates if effect else ())
        if r.unit == unit and r.value is not None and (source is None or r.source == source)
    ]
    if not rates:
        raise KnowledgeError(
            file="side_effects.yaml",
            entry=effect_id,
            field="rates",
            problem=f"the education page needs a {unit} rate" + (f" from {source}" if source else ""),
        )
    return rates


def _value(rate: Rate) -> float:
    assert rate.value is not None  # _rates keeps only rates with a value
    return rate.value


def _range(knowledge: Knowledge, effect_id: str) -> str:
    values = sorted({round(_value(r)) for r in _rates(knowledge, effect_id, "percent_of_treatments")})
    return f"{values[0]} in 100" if len(values) == 1 else f"{values[0]} to {values[-1]} in 100"


# placeholder -> (how to compute it from the knowledge base, the source a section must cite to use it)
_VALUES: dict[str, tuple[Callable[[Knowledge], str], tuple[str, ...]]] = {
    "brady_mild_pct": (
        lambda k: _pct(_value(_rates(k, "any_mild_brady", "percent_of_treatments")[0])),
        ("brady_2014",),
    ),
    "brady_mild_in": (
        lambda k: _words(_one_in(_value(_rates(k, "any_mild_brady", "percent_of_treatments")[0]))),
        ("brady_2014",),
    ),
    "boyce_minor_pct": (
        lambda k: _pct(_value(_rates(k, "any_minor_boyce", "percent_of_treatments")[0])),
        ("boyce_2020",),
    ),
    "boyce_minor_in": (
        lambda k: _words(_one_in(_value(_rates(k, "any_minor_boyce", "percent_of_treatments")[0]))),
        ("boyce_2020",),
    ),
    "boyce_major_in": (
        lambda k: f"{_one_in(_value(_rates(k, 'any_major_boyce', 'percent_of_treatments')[0])):,}",
        ("boyce_2020",),
    ),
    "bruising_range": (lambda k: _range(k, "bruising"), ("brady_2014", "boyce_2020")),
    "bleeding_range": (lambda k: _range(k, "bleeding"), ("brady_2014", "boyce_2020")),
    "pain_during_range": (lambda k: _range(k, "pain_during"), ("brady_2014", "boyce_2020")),
    "pneumo_all": (
        lambda k: f"{min(_value(r) for r in _rates(k, 'pneumothorax', 'per_million_treatments', 'lin_2019')):g}",
        ("lin_2019",),
    ),
    "pneumo_chest": (
        lambda k: f"{max(_value(r) for r in _rates(k, 'pneumothorax', 'per_million_treatments', 'lin_2019')):g}",
        ("lin_2019",),
    ),
}
_PARAMS: frozenset[str] = frozenset({"clinic", "fee_sentence"})
_FEE_PARAMS: frozenset[str] = frozenset({"clinic", "fee_list"})


def _fields(template: str, allowed: frozenset[str], e: Entry, field: str) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise e.error(field, f"bad placeholder ({exc})") from exc
    names: set[str] = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            raise e.error(field, f"unknown placeholder '{{{name}}}' (allowed: {', '.join(sorted(allowed))})")
        names.add(name)
    return names


# -- data ---------------------------------------------------------------------------------------
def load_education(data_dir: Path | None = None, knowledge: Knowledge | None = None) -> EducationData:
    """Read and validate ``education.yaml``; compute the knowledge-base values its placeholders use."""
    knowledge = knowledge or (load_knowledge(data_dir) if data_dir else get_knowledge())
    billing = load_billing(data_dir, knowledge) if data_dir else get_billing()
    path = (data_dir or DATA_DIR) / "education.yaml"
    top = Entry(read_yaml(path), file=path.name, entry="-")
    f = path.name
    placeholders = frozenset(_VALUES) | _PARAMS
    title = top.text("title")
    _fields(title, frozenset({"clinic"}), top, "title")
    sections: list[EduSection] = []
    for e in labelled(top, "sections"):
        section = EduSection(
            id=e.text("id"), heading=e.text("heading"), paragraphs=e.texts("paragraphs"), sources=e.sources()
        )
        e.finish()
        if any(s.id == section.id for s in sections):
            raise e.error("id", "duplicate id")
        for sid in section.sources:
            if sid not in billing.sources:
                raise e.error("sources", f"unknown source id '{sid}'")
        for i, paragraph in enumerate(section.paragraphs):
            for name in _fields(paragraph, placeholders, e, f"paragraphs[{i}]"):
                missing = [s for s in _VALUES[name][1] if s not in section.sources] if name in _VALUES else []
                if missing:
                    raise e.error("sources", f"uses {{{name}}} so must cite '{missing[0]}'")
        sections.append(section)
    ids = tuple(s.id for s in sections)
    if ids != REQUIRED_SECTIONS:
        raise KnowledgeError(
            file=f,
            entry="-",
            field="sections",
            problem=f"expected the sections {', '.join(REQUIRED_SECTIONS)} in that order",
        )
    fees = top.sub("fees")
    fee_known, fee_unknown = fees.text("known"), fees.text("unknown")
    _fields(fee_known, _FEE_PARAMS, fees, "known")
    _fields(fee_unknown, frozenset({"clinic"}), fees, "unknown")
    labels_raw = fees.raw_value("labels")
    fees.finish()
    codes = {c.code for c in billing.codes}
    if (
        not isinstance(labels_raw, dict)
        or set(labels_raw) != codes
        or not all(isinstance(v, str) and v.strip() for v in labels_raw.values())
    ):
        raise fees.error("labels", f"expected a plain-words label for each of {', '.join(sorted(codes))}")
    consent: list[ConsentItem] = []
    for e in labelled(top, "consent"):
        required = e.flag("required", default=True)
        covers = read_covers(e, knowledge) if "covers" in e.raw else None
        label = e.opt_text("label") or ""
        item = ConsentItem(id=e.text("id"), text=e.text("text"), required=required, covers=covers, label=label)
        e.finish()
        if required == (covers is not None):
            problem = "a required item covers everything" if required else "an optional item must say what it covers"
            raise e.error("covers", problem)
        if not required and not label:
            raise e.error("label", "an optional item needs a short label (what the patient did not agree to)")
        if any(c.id == item.id for c in consent):
            raise e.error("id", "duplicate id")
        consent.append(item)
    for cid in REQUIRED_CONSENT:
        if cid not in {c.id for c in consent}:
            raise KnowledgeError(file=f, entry=cid, field="consent", problem="required consent item is missing")
    check_chest_wall(consent, knowledge, f)
    top.finish()
    return EducationData(
        sources=billing.sources,
        title=title,
        sections=tuple(sections),
        fee_known=fee_known,
        fee_unknown=fee_unknown,
        fee_labels=MappingProxyType({str(k): str(v).strip() for k, v in labels_raw.items()}),
        values=MappingProxyType({name: compute(knowledge) for name, (compute, _) in _VALUES.items()}),
        consent=tuple(consent),
    )


@lru_cache(maxsize=1)
def get_education() -> EducationData:
    """The packaged education text, loaded once per process."""
    return load_education()
