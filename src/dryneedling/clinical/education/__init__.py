"""Plain-language patient education page about dry needling, and the consent items.

Text lives in ``data/education.yaml``. Side-effect and pneumothorax rates are never typed there:
they are computed from the knowledge base (``side_effects.yaml``) and filled into placeholders, so
the page follows the evidence. The page is parameterised by the clinic's name and self-pay fees.

:func:`readability_grade` is the Flesch-Kincaid grade from ``textstat``. It uses a private textstat
instance whose language tag (``en-US``) makes textstat count syllables with its bundled Pyphen
English dictionary, so it never asks NLTK to download the CMU dictionary at run time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from ._data import (
    CONSENT_VERSION,
    MAX_CLINIC_NAME,
    REQUIRED_CONSENT,
    REQUIRED_SECTIONS,
    ConsentCover,
    ConsentItem,
    EducationData,
    EducationPage,
    EduSection,
    get_education,
    load_education,
)

__all__ = [
    "CONSENT_VERSION",
    "REQUIRED_CONSENT",
    "REQUIRED_SECTIONS",
    "ConsentCover",
    "ConsentItem",
    "EducationData",
    "EducationPage",
    "EduSection",
    "consent_digest",
    "consent_items",
    "education_page",
    "get_education",
    "load_education",
    "page_text",
    "readability_grade",
    "section_text",
]


# -- page ---------------------------------------------------------------------------------------
def _money(fee: Decimal) -> str:
    return f"${fee.quantize(Decimal('0.01')):,}"


def _fee_sentence(data: EducationData, clinic: str, fees: Mapping[str, Decimal] | None) -> str:
    if fees is None:
        return data.fee_unknown.format(clinic=clinic)
    if not isinstance(fees, Mapping):
        raise ValueError("fees must be a mapping of CPT code to Decimal, or None")
    for code in data.fee_labels:  # a clinic's whole fee schedule may be passed: other codes are ignored
        fee = fees.get(code)
        if code in fees and (not isinstance(fee, Decimal) or not fee.is_finite() or fee < 0):
            raise ValueError(f"fees: CPT {code} needs a non-negative Decimal, got {fee!r}")
    parts = [f"{_money(fees[code])} {label}" for code, label in data.fee_labels.items() if code in fees]
    if not parts:
        return data.fee_unknown.format(clinic=clinic)
    fee_list = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return data.fee_known.format(clinic=clinic, fee_list=fee_list)


def _clinic(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("clinic_name must be a non-empty string")
    name = name.strip()
    if len(name) > MAX_CLINIC_NAME or not name.isprintable():
        raise ValueError(f"clinic_name must be one line of at most {MAX_CLINIC_NAME} printable characters")
    return name


def education_page(*, clinic_name: str, fees: Mapping[str, Decimal] | None) -> EducationPage:
    """The education page for one clinic.

    ``fees``: the clinic's self-pay fee schedule (CPT code -> Decimal). Only the dry-needling codes
    (20560, 20561) are used and checked; other codes are ignored. ``None``, or no dry-needling code:
    the page asks the patient to ask the clinic.
    """
    data = get_education()
    clinic = _clinic(clinic_name)
    values: dict[str, str] = {**data.values, "clinic": clinic, "fee_sentence": _fee_sentence(data, clinic, fees)}
    sections = tuple(
        EduSection(
            id=s.id,
            heading=s.heading,
            paragraphs=tuple(p.format_map(values) for p in s.paragraphs),
            sources=s.sources,
        )
        for s in data.sections
    )
    return EducationPage(
        title=data.title.format(clinic=clinic),
        sections=sections,
        sources=tuple(dict.fromkeys(sid for s in sections for sid in s.sources)),
    )


def section_text(section: EduSection) -> str:
    """A section as plain text: its heading on the first line, then one paragraph per line."""
    return "\n".join((section.heading, *section.paragraphs))


def page_text(page: EducationPage) -> str:
    """The whole page as plain text: the title, then each section separated by a blank line."""
    return "\n\n".join((page.title, *(section_text(s) for s in page.sections)))


@cache
def _textstat() -> Any:
    """textstat, imported on first use: its import takes a second or more, and every CLI command
    and web worker imports this module (issue 14)."""
    from textstat.textstat import textstatistics

    instance = textstatistics()
    instance.set_lang("en-US")  # not "en_US": see the module docstring
    return instance


def readability_grade(text: str) -> float:
    """Flesch-Kincaid grade level of ``text`` (US school grade), from ``textstat.flesch_kincaid_grade``."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string")
    return float(_textstat().flesch_kincaid_grade(text))


# -- consent ------------------------------------------------------------------------------------
def consent_items() -> tuple[ConsentItem, ...]:
    """The consent items of :data:`CONSENT_VERSION`, in the order they are shown."""
    return get_education().consent


def consent_digest(items: tuple[ConsentItem, ...] | None = None) -> str:
    """SHA-256 of the consent items (id, text, required), to record with a signed consent."""
    rows: list[list[Any]] = [[c.id, c.text, c.required] for c in (consent_items() if items is None else items)]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
