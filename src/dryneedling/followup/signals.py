"""Keeps what the analytics read from plain columns true (issue 12); bulk writers set them themselves.

- An episode's course ends after its scores were recorded: the derived columns of its scores
  (window, baseline, responder) are set again.
- A session's points change after a soreness reading was recorded: the readings take the
  session's new main technique (computed here too, so the order of receivers does not matter)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dryneedling.followup.models import OutcomeRecord, SorenessReading
from dryneedling.patients.models import Episode
from dryneedling.treatment.models import Insertion, main_technique_of


@receiver(post_save, sender=Episode, dispatch_uid="dryneedling.followup.outcome_windows")
def outcome_windows_refresh(sender: type[Episode], instance: Episode, created: bool, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if created or (fields is not None and "course_completed_at" not in fields):
        return
    records = OutcomeRecord.objects.for_record(instance)
    scored = list(records.filter(episode_id=instance.pk, verdict__isnull=False))
    for record in scored:
        record.derive(instance.course_completed_at)
    records.bulk_update(scored, OutcomeRecord.DERIVED)


@receiver(post_save, sender=Insertion, dispatch_uid="dryneedling.followup.soreness_technique_saved")
@receiver(post_delete, sender=Insertion, dispatch_uid="dryneedling.followup.soreness_technique_deleted")
def soreness_technique_refresh(sender: type[Insertion], instance: Insertion, **kwargs: Any) -> None:
    readings = SorenessReading.objects.for_record(instance).filter(session_id=instance.session_id)
    if not readings.exists():  # the usual case: points come before any reading
        return
    points = Insertion.objects.for_record(instance).filter(session_id=instance.session_id)
    readings.update(technique=main_technique_of(points.values_list("technique", flat=True)))
