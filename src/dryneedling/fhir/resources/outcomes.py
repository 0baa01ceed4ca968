"""Observation: outcome scores (followup.OutcomeRecord), the round-trip kind."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dryneedling.clinical.instruments import get_instrument_data
from dryneedling.followup.models import OutcomeRecord
from dryneedling.interop.identifiers import BASE, EPISODE_EXTENSION
from dryneedling.interop.models import Kind

from .base import Ctx, Resource, Row, Spec, instant
from .patients import episode_identifiers

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
INSTRUMENT_SYSTEM = f"{BASE}/CodeSystem/instrument"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
SURVEY = [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}]


def instrument_code(instrument_id: str) -> Resource:
    """The instrument's LOINC code where the catalogue has one (clinical/data/instruments.yaml,
    source `loinc_fhir`), plus always the project's own instrument code."""
    instrument = get_instrument_data().instruments.get(instrument_id)
    coding = []
    if instrument is not None and instrument.loinc is not None:
        coding.append({"system": LOINC, "code": instrument.loinc.code, "display": instrument.loinc.display})
    name = instrument.name if instrument is not None else instrument_id
    coding.append({"system": INSTRUMENT_SYSTEM, "code": instrument_id, "display": name})
    return {"coding": coding, "text": name}


def _codes(ctx: Ctx) -> dict[str, Resource]:
    codes: dict[str, Resource] = ctx.cache.setdefault("instrument_codes", {})
    return codes


OUTCOME_COLUMNS = ("patient_id", "episode_id", "instrument_id", "value", "recorded_at")


def outcomes(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    imported = ctx.identifiers(Kind.OBSERVATION, [r[0] for r in rows])
    episode_ids = episode_identifiers(ctx, sorted({r[2] for r in rows}))
    codes = _codes(ctx)
    for pk, patient_id, episode_id, instrument_id, value, recorded in rows:
        code = codes.get(instrument_id)
        if code is None:
            code = codes[instrument_id] = instrument_code(instrument_id)
        yield {
            "resourceType": "Observation",
            "id": str(pk),
            "meta": {"lastUpdated": instant(recorded)},
            "extension": [{"url": EPISODE_EXTENSION, "valueIdentifier": episode_ids[episode_id]}],
            "identifier": ctx.identifier_of(Kind.OBSERVATION, imported, pk),
            "status": "final",
            "category": SURVEY,
            "code": code,
            "subject": {"reference": f"Patient/{patient_id}"},
            "effectiveDateTime": instant(recorded),
            "valueQuantity": {"value": value, "unit": "{score}", "system": UCUM, "code": "{score}"},
        }


SPECS = (Spec("Observation", OutcomeRecord, OUTCOME_COLUMNS, outcomes, stamp="recorded_at"),)
