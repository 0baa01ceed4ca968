"""CarePlan: a home-care plan (followup.HomeCarePlan). Each item of the plan's sections is an
activity, coded with its id in the project's home-care catalogue (clinical/data/homecare.yaml)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from dryneedling.followup.models import HomeCarePlan
from dryneedling.interop.identifiers import BASE

from .base import Ctx, Resource, Row, Spec, instant, meta

HOMECARE_SYSTEM = f"{BASE}/CodeSystem/home-care-item"


def activities(plan: Any) -> list[Resource]:
    found: list[Resource] = []
    sections = plan.get("sections", []) if isinstance(plan, dict) else []
    for section in sections:
        for item in section.get("items", []) if isinstance(section, dict) else []:
            if not isinstance(item, dict):
                continue
            title = str(item.get("title") or item.get("id") or "Home-care item")
            detail: Resource = {"status": "in-progress", "code": {"text": title}}
            if item.get("id"):
                detail["code"]["coding"] = [{"system": HOMECARE_SYSTEM, "code": str(item["id"]), "display": title}]
            description = " ".join(str(p) for p in (item.get("instructions"), item.get("dose")) if p)
            if description:
                detail["description"] = description
            found.append({"detail": detail})
    return found


COLUMNS = ("patient_id", "episode_id", "plan", "created_at", "updated_at", "updated_by_id")


def care_plans(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    system = ctx.system("home_care_plan")
    for pk, patient_id, episode_id, plan, created, updated, by in rows:
        res: Resource = {
            "resourceType": "CarePlan",
            "id": str(pk),
            "meta": meta(updated),
            "identifier": [{"system": system, "value": str(pk)}],
            "status": "active",
            "intent": "plan",
            "title": "Home care after dry needling",
            "subject": {"reference": f"Patient/{patient_id}"},
            "period": {"start": instant(created)},
            "created": instant(created),
            "author": {"reference": f"Practitioner/{by}"},
            "supportingInfo": [{"reference": f"EpisodeOfCare/{episode_id}"}],
        }
        planned = activities(plan)
        if planned:
            res["activity"] = planned
        yield res


SPECS = (Spec("CarePlan", HomeCarePlan, COLUMNS, care_plans, stamp="updated_at"),)
