"""Import path of outcome scores (issue 13): a score another system recorded, at the time it was
recorded there. `services.outcome_record` is the clinician's entry now (the clinician role, the
time of entry); an import brings history in, run by a clinic admin or a clinician
(`accounts.permissions.require_importer`). Audited in the same transaction.

The verdict is computed as if the score had been entered at its own time: against the episode's
first score of the instrument recorded before it (none before it: it is the baseline). An import
in time order, as the FHIR export writes them, gives the verdicts of recording them live.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import require_importer
from dryneedling.followup.models import OutcomeRecord
from dryneedling.followup.outcome_rules import episode_context, rules_of, verdict_for
from dryneedling.followup.reports import OTHER_SERIES
from dryneedling.patients.models import Episode
from dryneedling.patients.selectors import episode_get_for


def _verdict(
    episode: Episode, instrument_id: str, value: float, at: datetime, exclude: int | None
) -> dict[str, Any] | None:
    earlier = (
        OutcomeRecord.objects.for_record(episode)
        .filter(episode=episode, instrument_id=instrument_id, recorded_at__lt=at)
        .exclude(pk=exclude or 0)
        .order_by("recorded_at", "id")
        .values_list("value", flat=True)
        .first()
    )
    return verdict_for(
        rules=rules_of(clinic_id=episode.clinic_id),
        instrument_id=instrument_id,
        baseline=earlier,
        value=value,
        context=episode_context(episode=episode),
    )


@transaction.atomic
def outcome_import(
    *,
    actor: User,
    episode: Episode,
    instrument_id: str,
    value: float,
    recorded_at: datetime,
    record: OutcomeRecord | None = None,
) -> OutcomeRecord:
    """Record an imported score (`record` None) or change one imported before. The value is checked
    against the instrument's range (clinical.instruments.score), or for a series the follow-up
    records besides the catalogue's instruments (followup.reports.OTHER_SERIES: the check-in's
    post-needling soreness), against that series' range."""
    from dryneedling.clinical.instruments import score

    require_importer(actor=actor)
    episode = episode_get_for(actor=actor, episode_id=episode.pk)
    if timezone.is_naive(recorded_at):
        raise ValidationError({"recorded_at": "The time of a score needs its offset."})
    if instrument_id in OTHER_SERIES:
        low, high = OTHER_SERIES[instrument_id][1]
        if not low <= value <= high:
            raise ValidationError({"value": f"{OTHER_SERIES[instrument_id][0]} runs from {low:g} to {high:g}."})
    else:
        try:
            value = score(instrument_id=instrument_id, total=value).value
        except (ValueError, KeyError) as error:
            raise ValidationError({"value": str(error).strip("'")}) from None
    if record is None:
        record = OutcomeRecord(clinic=episode.clinic, patient=episode.patient, entered_by=actor)
        action = "outcome.import"
    else:
        record = OutcomeRecord.objects.for_record(episode).select_for_update().get(pk=record.pk)
        action = "outcome.import_update"
    record.episode, record.patient = episode, episode.patient
    record.instrument_id, record.value, record.recorded_at = instrument_id, value, recorded_at
    record.verdict = _verdict(episode, instrument_id, value, recorded_at, exclude=record.pk)
    record.save()
    audit_record(actor=actor, action=action, obj=record, detail={"instrument": instrument_id})
    return record


def importable_instruments() -> frozenset[str]:
    """The ids of the scores an import may bring: the catalogue's instruments and the follow-up's own series."""
    from dryneedling.clinical.instruments import get_instruments

    return frozenset(get_instruments()) | frozenset(OTHER_SERIES)
