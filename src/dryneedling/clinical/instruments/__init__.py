"""Outcome-measure scoring: NPRS, VAS, PPT, GROC, NDI, ODI, QuickDASH, LEFS, PSFS, FFI, PRTEE.

PRTEE and FFI subscales from items: :func:`prtee_score`, :func:`ffi_score`.

The catalogue (ranges, direction, missing-item rules, MCID/MDC with sources and evidence tags, LOINC
codes, licence notes) lives in ``data/instruments.yaml`` with its own ``sources:`` block. Licensed
questionnaires are stored as item scores or totals only, never with their item wording.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._load import get_instrument_data, load_instrument_data
from ._model import (
    DIRECTIONS,
    KINDS,
    RULES,
    SCORINGS,
    Change,
    Instrument,
    InstrumentData,
    Loinc,
    NotScorable,
    ResponderThreshold,
    Score,
    Sourced,
    Threshold,
)
from ._score import change, condition_measure, groc_responder, score
from ._subscales import FFI_METHODS, FfiScore, PrteeScore, ffi_score, prtee_score

__all__ = [
    "DIRECTIONS",
    "FFI_METHODS",
    "KINDS",
    "RULES",
    "SCORINGS",
    "Change",
    "FfiScore",
    "Instrument",
    "InstrumentData",
    "Loinc",
    "NotScorable",
    "PrteeScore",
    "ResponderThreshold",
    "Score",
    "Sourced",
    "Threshold",
    "change",
    "condition_measure",
    "ffi_score",
    "get_instrument_data",
    "get_instruments",
    "groc_responder",
    "load_instrument_data",
    "prtee_score",
    "score",
]


def get_instruments() -> Mapping[str, Instrument]:
    """The packaged instruments by id (loaded once per process)."""
    return get_instrument_data().instruments
