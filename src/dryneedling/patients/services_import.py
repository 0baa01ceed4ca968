"""Import paths of patient data (issue 13): what an import from another system writes that the
everyday services do not offer. Each write is audited in the same transaction.

An episode's diagnoses come in one Condition at a time, each named by its own outside identifier
(`interop.models.ExternalId`, which points at the condition's row). `episode_update` replaces the
whole list (new rows), so an import adds or changes one condition in place instead: the row, and
with it the identifier that names it, stays.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import require_importer
from dryneedling.patients.limits import too_many_conditions
from dryneedling.patients.models import Episode, EpisodeCondition
from dryneedling.patients.selectors import episode_get_for
from dryneedling.patients.validation import ICD10_RE, normalise_icd10, reject_control_characters

CONDITION_TEXT_MAX = 200


@transaction.atomic
def condition_import(
    *,
    actor: User,
    episode: Episode,
    code: str,
    text: str,
    position: int | None = None,
    condition: EpisodeCondition | None = None,
) -> EpisodeCondition:
    """Add a diagnosis to the episode (`condition` None) or change one of its diagnoses in place.
    `position` None puts a new one last and leaves a changed one where it is."""
    require_importer(actor=actor)
    episode = episode_get_for(actor=actor, episode_id=episode.pk)
    code = normalise_icd10(code)
    if not ICD10_RE.match(code):
        raise ValidationError({"code": f"{code[:12]!r} is not an ICD-10-CM code (e.g. M54.50)."})
    reject_control_characters(text, field="text", multiline=False)
    text = " ".join(text.split())
    if not text or len(text) > CONDITION_TEXT_MAX:
        raise ValidationError({"text": f"A condition needs its text (at most {CONDITION_TEXT_MAX} characters)."})
    others = EpisodeCondition.objects.for_record(episode).filter(episode=episode)
    if condition is not None:
        others = others.exclude(pk=condition.pk)
    if others.filter(code=code).exists():
        raise ValidationError({"code": f"The episode lists {code} already."})
    if condition is None:
        message = too_many_conditions(others.count() + 1)
        if message:
            raise ValidationError({"conditions": message})
        last = max((c.position for c in others), default=-1)
        condition = EpisodeCondition(episode=episode, position=last + 1 if position is None else position)
        action = "episode.condition_import"
    else:
        condition = EpisodeCondition.objects.for_record(episode).get(pk=condition.pk, episode=episode)
        action = "episode.condition_update"
    condition.code, condition.text = code, text
    if position is not None:
        condition.position = position
    condition.save()
    episode.save(update_fields=["updated_at"])  # the episode's conditions changed
    audit_record(
        actor=actor, action=action, obj=condition, patient_id=episode.patient_id, detail={"episode": episode.pk}
    )
    return condition
