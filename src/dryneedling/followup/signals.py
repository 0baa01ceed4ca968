"""Keeps the outcome records' window (issue 12) true when an episode's course ends after its scores
were recorded: the derived columns of its scores are set again. Bulk writers set them themselves."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from dryneedling.followup.models import OutcomeRecord
from dryneedling.patients.models import Episode


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
