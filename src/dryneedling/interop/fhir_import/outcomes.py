"""Observation resources: scores of the outcome instruments the knowledge base knows
(clinical/data/instruments.yaml), by the instrument coding (`<BASE>/CodeSystem/instrument`) or by
the instrument's LOINC code. Any other code is an error naming it, except an Observation a
dryneedling export wrote for something that is not an outcome score (a pressure-pain-threshold
finding...): its identifier is a dryneedling one of another kind than "observation", and it is
skipped and counted, because the export writes them and the import has no record for them.
"""

from __future__ import annotations

import re
from typing import Any

from dryneedling.clinical.instruments import get_instruments
from dryneedling.followup.services_import import importable_instruments, outcome_import
from dryneedling.interop.fhir_import import identity
from dryneedling.interop.fhir_import.context import FileContext, Problem, a_moment
from dryneedling.interop.fhir_import.episodes import episode_for, patient_of
from dryneedling.interop.fhir_import.files import Entry
from dryneedling.interop.identifiers import BASE
from dryneedling.interop.models import Kind

INSTRUMENT_SYSTEM = f"{BASE}/CodeSystem/instrument"
LOINC = "http://loinc.org"
SKIPPED = "skipped"
_DRYNEEDLING_KIND = re.compile(r"^urn:dryneedling:[^:]+:([a-z_]+)$")


def instrument_of(resource: dict[str, Any]) -> str | None:
    """The instrument id the Observation's code names, or None."""
    instruments = get_instruments()
    by_loinc = {i.loinc.code: i.id for i in instruments.values() if i.loinc is not None}
    codings = (resource.get("code") or {}).get("coding") or []
    known = importable_instruments()
    for coding in codings:
        if coding.get("system") == INSTRUMENT_SYSTEM and coding.get("code") in known:
            return str(coding["code"])
    for coding in codings:
        if coding.get("system") == LOINC and coding.get("code") in by_loinc:
            return by_loinc[coding["code"]]
    return None


def _not_an_outcome(resource: dict[str, Any]) -> bool:
    kinds = {m.group(1) for system, _ in identity.identifiers_of(resource) if (m := _DRYNEEDLING_KIND.match(system))}
    return bool(kinds) and Kind.OBSERVATION not in kinds


def _codes(resource: dict[str, Any]) -> str:
    codings = (resource.get("code") or {}).get("coding") or []
    named = [f"{c.get('code')} ({c.get('system', 'no system')})" for c in codings]
    return ", ".join(named) or repr((resource.get("code") or {}).get("text", ""))


def import_observation(ctx: FileContext, entry: Entry) -> str:
    resource = entry.resource
    if _not_an_outcome(resource):  # e.g. a PPT finding, coded with the ppt instrument all the same
        return SKIPPED
    instrument_id = instrument_of(resource)
    if instrument_id is None:
        raise Problem(
            f"code {_codes(resource)} is no outcome instrument the knowledge base knows "
            f"(by {INSTRUMENT_SYSTEM} or LOINC: {', '.join(sorted(importable_instruments()))})"
        )
    quantity = resource.get("valueQuantity") or {}
    value = quantity.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise Problem("an outcome score needs valueQuantity.value (a number)")
    moment = resource.get("effectiveDateTime") or resource.get("effectiveInstant")
    if not moment:
        raise Problem("an outcome score needs effectiveDateTime (when it was recorded)")
    recorded_at = a_moment(moment, "effectiveDateTime")
    patient = patient_of(ctx, resource.get("subject"), "subject")
    pairs = identity.identifiers_of(resource)
    record = ctx.existing(Kind.OBSERVATION, pairs)
    if record is not None and record.patient_id != patient.pk:
        raise Problem("its identifier names a score of another patient")
    episode = episode_for(ctx, entry, patient, record.episode_id if record else None)
    current = (record.episode_id, record.instrument_id, record.value, record.recorded_at) if record else None
    if current == (episode.pk, instrument_id, float(value), recorded_at):
        outcome = "unchanged"
    else:
        outcome = "created" if record is None else "updated"
        record = outcome_import(
            actor=ctx.actor,
            episode=episode,
            instrument_id=instrument_id,
            value=float(value),
            recorded_at=recorded_at,
            record=record,
        )
    return ctx.done(entry, Kind.OBSERVATION, record.pk, pairs, outcome)
