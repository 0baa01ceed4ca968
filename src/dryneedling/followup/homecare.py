"""Home-care plans: generated from the muscles needled and the condition, edited by the clinician,
read by the patient behind a signed link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.clinical.homecare import (
    MAX_TEXT,
    Suggestion,
    add_items,
    build_plan,
    plan_from_dict,
    plan_to_dict,
    suggestions,
)
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.followup import links
from dryneedling.followup.models import HomeCarePlan
from dryneedling.patients.models import Episode
from dryneedling.patients.selectors import episode_get_for
from dryneedling.treatment.models import Finding, Insertion
from dryneedling.treatment.services.common import CONFLICT_MESSAGE, EditConflict, require_clinician

NOTE_ID = "clinician-note"  # the clinician's own note to the patient, stored after the checked plan


def kb_condition_for(episode: Episode) -> str | None:
    """The knowledge base's condition whose ICD-10-CM codes cover one of the episode's codes."""
    codes = [c.code for c in episode.conditions.all()]
    for condition in get_knowledge().conditions.values():
        for icd in condition.icd10:
            stem = icd.code.rstrip("x-").rstrip(".")
            if any(code == icd.code or code.startswith(stem) for code in codes):
                return condition.id
    return None


def _muscles(episode: Episode) -> list[str]:
    needled = (
        Insertion.objects.for_clinic(episode.clinic_id)
        .filter(session__episode=episode)
        .order_by("performed_at")
        .values_list("muscle_id", flat=True)
    )
    charted = (
        Finding.objects.for_clinic(episode.clinic_id)
        .filter(episode=episode)
        .order_by("recorded_at")
        .values_list("muscle_id", flat=True)
    )
    # The plan is for what was needled; the chart's findings only when nothing has been needled yet
    # (a plan given at the first visit). Mixing both made one gluteal point a 22-item plan.
    return list(dict.fromkeys(needled)) or list(dict.fromkeys(charted))


def home_care_more(*, episode: Episode, plan: dict[str, Any]) -> list[Suggestion]:
    """The ranked suggestions for the episode that the stored plan does not hold (best first)."""
    present = {item["id"] for section in plan["sections"] for item in section["items"]}
    ranked = suggestions(muscle_ids=_muscles(episode), condition_id=kb_condition_for(episode))
    return [s for s in ranked if s.item.id not in present]


@transaction.atomic
def home_care_plan_create(*, actor: User, episode: Episode) -> HomeCarePlan:
    require_clinician(actor)
    episode = episode_get_for(actor=actor, episode_id=episode.pk)
    plan = build_plan(muscle_ids=_muscles(episode), condition_id=kb_condition_for(episode))
    record = HomeCarePlan.objects.create(
        clinic=episode.clinic, patient=episode.patient, episode=episode, plan=plan_to_dict(plan), updated_by=actor
    )
    audit_record(actor=actor, action="home_care_plan.create", obj=record, detail={"episode_id": episode.pk})
    return record


@transaction.atomic
def home_care_plan_update(
    *,
    actor: User,
    record: HomeCarePlan,
    expected_version: int,
    edits: dict[str, dict[str, Any]],
    note: str = "",
    add: Sequence[str] = (),
) -> HomeCarePlan:
    """Apply the clinician's edits: per item id, new instructions/dose, or removal (keep=False); then
    add the library items ``add`` (suggestions), each in its section."""
    require_clinician(actor)
    episode_get_for(actor=actor, episode_id=record.episode_id)
    data = dict(record.plan)
    sections = []
    kept_note = ""
    for section in data["sections"]:
        items = []
        for item in section["items"]:
            edit = edits.get(item["id"], {})
            if edit.get("keep", True) is False:
                continue
            edited = item | {k: v for k, v in edit.items() if k in ("instructions", "dose")}
            if item["id"] == NOTE_ID:  # the clinician's note cites no source: checked on its own below
                kept_note = str(edited["instructions"] or "")
                continue
            items.append(edited)
        if items:
            sections.append(section | {"items": items})
    note = note.strip() or kept_note.strip()  # a new note replaces the previous one
    if len(note) > MAX_TEXT or "\x00" in note:
        raise ValidationError(f"The note to the patient must be at most {MAX_TEXT} characters.")
    data["sections"] = sections
    data["sources"] = list(dict.fromkeys(s for sec in sections for it in sec["items"] for s in it["sources"]))
    try:
        clean = plan_to_dict(add_items(plan_from_dict(data), add))
    except ValueError as error:
        raise ValidationError(str(error)) from None
    if note:
        clean["sections"].append(
            {
                "title": "From your clinician",
                "items": [
                    {
                        "id": NOTE_ID,
                        "title": "Notes",
                        "instructions": note,
                        "dose": None,
                        "cautions": [],
                        "sources": [],
                        "evidence": "V",
                    }
                ],
            }
        )
    updated = (
        HomeCarePlan.objects.for_clinic(record.clinic_id)
        .filter(pk=record.pk, version=expected_version)
        .update(plan=clean, version=F("version") + 1, updated_at=timezone.now(), updated_by=actor)
    )
    if updated != 1:
        raise EditConflict(CONFLICT_MESSAGE)
    record.refresh_from_db()
    audit_record(actor=actor, action="home_care_plan.update", obj=record, detail={"added": list(add)} if add else None)
    return record


def home_care_link(record: HomeCarePlan, *, actor: User | None = None) -> str:
    """A link to the plan for the patient, valid 120 days (the same one for a day, then a new one)."""
    return links.url_for(links.link_for(purpose=links.Purpose.HOMECARE, target=record, actor=actor))
