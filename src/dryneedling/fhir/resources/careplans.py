"""CarePlan: a home-care plan (followup.HomeCarePlan). Each item of the plan's sections is an
activity, coded with its id in the project's home-care catalogue (clinical/data/homecare.yaml)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from dryneedling.followup.models import HomeCarePlan
from dryneedling.interop.identifiers import BASE

from .base import BATCH, Ctx, Resource, Row, Spec, instant, json, meta

HOMECARE_SYSTEM = f"{BASE}/CodeSystem/home-care-item"


SHARED = 5_000
"""At most this many distinct activities are kept for sharing in one export (a plan's items come
from the home-care catalogue, so most plans repeat the same few)."""


def activities(plan: Any, shared: dict[Any, Resource] | None = None) -> list[Resource]:
    found: list[Resource] = []
    sections = plan.get("sections", []) if isinstance(plan, dict) else []
    for section in sections:
        for item in section.get("items", []) if isinstance(section, dict) else []:
            if not isinstance(item, dict):
                continue
            key = (item.get("id"), item.get("title"), item.get("instructions"), item.get("dose"))
            activity = shared.get(key) if shared is not None else None
            if activity is None:
                activity = _activity(*key)
                if shared is not None:
                    if len(shared) >= SHARED:
                        shared.clear()
                    shared[key] = activity
            found.append(activity)
    return found


def _activity(item_id: Any, title: Any, instructions: Any, dose: Any) -> Resource:
    name = str(title or item_id or "Home-care item")
    detail: Resource = {"status": "in-progress", "code": {"text": name}}
    if item_id:
        detail["code"]["coding"] = [{"system": HOMECARE_SYSTEM, "code": str(item_id), "display": name}]
    description = " ".join(str(p) for p in (instructions, dose) if p)
    if description:
        detail["description"] = description
    return {"detail": detail}


COLUMNS = ("patient_id", "episode_id", "plan", "created_at", "updated_at", "updated_by_id")


def care_plans(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    system = ctx.system("home_care_plan")
    shared: dict[Any, Resource] = ctx.cache.setdefault("home_care_activities", {})
    for pk, patient_id, episode_id, plan, created, updated, by in rows:
        ctx.actors.add(by)
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
        planned = activities(json(plan), shared)
        if planned:
            res["activity"] = planned
        yield res


SPECS = (Spec("CarePlan", HomeCarePlan, COLUMNS, care_plans, stamp="updated_at", batch=BATCH // 4, names_actors=True),)
