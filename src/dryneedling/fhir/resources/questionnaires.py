"""QuestionnaireResponse: a screening's answers (id "screening-<pk>") and a check-in's answers
(id "checkin-<pk>", answered check-ins only). The answers are stored as JSON objects; each key
becomes an item (linkId = the key), each value an answer of its JSON type; a list of objects (the
check-in's activities) becomes repeated groups."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from dryneedling.clinical.questions import QUESTIONS_BY_KEY
from dryneedling.followup.models import CheckIn
from dryneedling.intake.models import Screening
from dryneedling.interop.identifiers import BASE

from .base import Ctx, Resource, Row, Spec, instant, json

DECISION_EXTENSION = f"{BASE}/StructureDefinition/screening-decision"


def _answer(value: Any) -> Resource | None:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    if isinstance(value, str) and value:
        return {"valueString": value}
    return None


SHARED = 20_000
"""At most this many distinct (question, answer) items are kept for sharing in one export."""


def items(answers: Any, prefix: str = "", labels: Any = None, shared: dict[Any, Any] | None = None) -> list[Resource]:
    """The answers object as QuestionnaireResponse items (empty values left out). An item of a
    plain answer ("fever": false) is built once and shared (`shared`, bounded): most answers of a
    screening are the same few values."""
    found: list[Resource] = []
    if not isinstance(answers, dict):
        return found
    for key, value in answers.items():
        cls = value.__class__
        if cls is bool or cls is int or cls is str or value is None:
            marker = (prefix, key, cls, value)
            item = shared.get(marker) if shared is not None else None
            if item is None:
                item = _item(f"{prefix}{key}", [value], labels.get(key) if labels is not None else None)
                if shared is not None:
                    if len(shared) >= SHARED:
                        shared.clear()
                    shared[marker] = item
            if item:
                found.append(item)
            continue
        link = f"{prefix}{key}"
        values = value if isinstance(value, list) else [value]
        for group in values:
            if isinstance(group, dict) and (nested := items(group, f"{link}.", shared=shared)):
                found.append({"linkId": link, "item": nested})
        item = _item(link, [v for v in values if not isinstance(v, dict)], labels.get(key) if labels else None)
        if item:
            found.append(item)
    return found


def _item(link: str, values: list[Any], question: Any) -> Resource:
    """One item with its answers ({} when none of the values is an answer)."""
    answer = [a for v in values if (a := _answer(v)) is not None]
    if not answer:
        return {}
    item: Resource = {"linkId": link, "answer": answer}
    if question is not None:
        item["text"] = question.label
    return item


SCREENING_COLUMNS = ("patient_id", "performed_by_id", "performed_at", "answers", "decision")


def screenings(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    system = ctx.system("screening")
    questionnaire = f"{BASE}/Questionnaire/screening"
    shared = ctx.cache.setdefault("screening_items", {})
    for pk, patient_id, by, performed, answers, decision in rows:
        ctx.actors.add(by)
        yield {
            "resourceType": "QuestionnaireResponse",
            "id": f"screening-{pk}",
            "meta": {"lastUpdated": instant(performed)},
            "extension": [{"url": DECISION_EXTENSION, "valueCode": decision}],
            "identifier": {"system": system, "value": str(pk)},
            "questionnaire": questionnaire,
            "status": "completed",
            "subject": {"reference": f"Patient/{patient_id}"},
            "authored": instant(performed),
            "author": {"reference": f"Practitioner/{by}"},
            "source": {"reference": f"Patient/{patient_id}"},
            "item": items(json(answers), labels=QUESTIONS_BY_KEY, shared=shared),
        }


CHECKIN_COLUMNS = ("patient_id", "session_id", "kind", "answered_at", "answers")


def check_ins(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    system = ctx.system("check_in")
    shared = ctx.cache.setdefault("check_in_items", {})
    for pk, patient_id, session_id, kind, answered, answers in rows:
        patient = {"reference": f"Patient/{patient_id}"}
        res: Resource = {
            "resourceType": "QuestionnaireResponse",
            "id": f"checkin-{pk}",
            "meta": {"lastUpdated": instant(answered)},
            "identifier": {"system": system, "value": str(pk)},
            "questionnaire": f"{BASE}/Questionnaire/check-in-{kind}",
            "status": "completed",
            "subject": patient,
            "encounter": {"reference": f"Encounter/{session_id}"},
            "authored": instant(answered),
            "author": patient,
            "source": patient,
        }
        answered_items = items(json(answers), shared=shared)
        if answered_items:
            res["item"] = answered_items
        yield res


SPECS = (
    Spec(
        "QuestionnaireResponse",
        Screening,
        SCREENING_COLUMNS,
        screenings,
        stamp="performed_at",
        prefix="screening-",
        names_actors=True,
    ),
    Spec(
        "QuestionnaireResponse",
        CheckIn,
        CHECKIN_COLUMNS,
        check_ins,
        stamp="answered_at",
        scope=lambda ctx, qs: qs.filter(answered_at__isnull=False),
        prefix="checkin-",
    ),
)
