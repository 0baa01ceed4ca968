"""The Observations that are not outcome scores (exported, never imported): the pressure pain
threshold of a finding (id "ppt-<pk>") and post-needling soreness readings (id "soreness-<pk>")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

from dryneedling.followup.models import SorenessReading
from dryneedling.interop.identifiers import BASE
from dryneedling.treatment.models import Finding

from .base import Ctx, Resource, Row, Spec, instant
from .outcomes import OBSERVATION_CATEGORY, SURVEY, UCUM, instrument_code
from .procedures import _body_site

EXAM = [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "exam", "display": "Exam"}]}]
OBSERVATION_SYSTEM = f"{BASE}/CodeSystem/observation"
HOURS_EXTENSION = f"{BASE}/StructureDefinition/hours-after-session"

PPT_COLUMNS = ("patient_id", "muscle_id", "side", "ppt_kg_cm2", "recorded_by_id", "recorded_at")


def thresholds(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    code = instrument_code("ppt")
    system = ctx.system("finding")
    for pk, patient_id, muscle, side, ppt, by, recorded in rows:
        ctx.actors.add(by)
        yield {
            "resourceType": "Observation",
            "id": f"ppt-{pk}",
            "meta": {"lastUpdated": instant(recorded)},
            "identifier": [{"system": system, "value": str(pk)}],
            "status": "final",
            "category": EXAM,
            "code": code,
            "subject": {"reference": f"Patient/{patient_id}"},
            "effectiveDateTime": instant(recorded),
            "performer": [{"reference": f"Practitioner/{by}"}],
            "valueQuantity": {"value": float(ppt), "unit": "kg/cm2", "system": UCUM, "code": "kg/cm2"},
            "bodySite": _body_site(muscle, side, ""),
        }


@lru_cache(maxsize=8)
def _soreness_code(hours: int) -> dict[str, object]:
    when = "at the end of the session" if hours == 0 else f"{hours} h after the session"
    coding = {"system": OBSERVATION_SYSTEM, "code": "post-needling-soreness", "display": "Post-needling soreness"}
    return {
        "coding": [coding],
        "text": f"Post-needling soreness (0-10) {when}",
    }


SORENESS_COLUMNS = ("patient_id", "session_id", "hours", "score", "source", "entered_by_id", "recorded_at")


def soreness(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    system = ctx.system("soreness")
    for pk, patient_id, session_id, hours, score, source, by, recorded in rows:
        patient = {"reference": f"Patient/{patient_id}"}
        if source == "patient" or by is None:
            performer = patient
        else:
            performer = {"reference": f"Practitioner/{by}"}
            ctx.actors.add(by)
        yield {
            "resourceType": "Observation",
            "id": f"soreness-{pk}",
            "meta": {"lastUpdated": instant(recorded)},
            "extension": [{"url": HOURS_EXTENSION, "valueInteger": hours}],
            "identifier": [{"system": system, "value": str(pk)}],
            "status": "final",
            "category": SURVEY,
            "code": _soreness_code(hours),
            "subject": patient,
            "encounter": {"reference": f"Encounter/{session_id}"},
            "effectiveDateTime": instant(recorded),
            "performer": [performer],
            "valueQuantity": {"value": score, "unit": "{score}", "system": UCUM, "code": "{score}"},
        }


SPECS = (
    Spec(
        "Observation",
        Finding,
        PPT_COLUMNS,
        thresholds,
        stamp="recorded_at",
        scope=lambda ctx, qs: qs.filter(ppt_kg_cm2__isnull=False),
        prefix="ppt-",
        names_actors=True,
    ),
    Spec(
        "Observation",
        SorenessReading,
        SORENESS_COLUMNS,
        soreness,
        stamp="recorded_at",
        prefix="soreness-",
        names_actors=True,
    ),
)
