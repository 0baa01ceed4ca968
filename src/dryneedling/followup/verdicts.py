"""The stored outcome verdicts of a patient, for the patient page (issue 11): per episode and
instrument, the baseline and the latest score, and the latest score's stored verdict in words with
the rule and the source it was reached with (a later change of the clinic's rules leaves it as is)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINICAL, require
from dryneedling.followup.models import OutcomeRecord
from dryneedling.followup.reports import OTHER_SERIES
from dryneedling.patients.models import Patient


@dataclass(frozen=True)
class VerdictLine:
    episode_id: int
    name: str
    baseline: float
    baseline_at: datetime
    latest: float
    latest_at: datetime
    words: str


def verdict_words(verdict: dict[str, Any] | None, *, scores: int) -> str:
    """A stored verdict in words: responder or not, by which rule, with its source and evidence tag."""
    if verdict is None:
        return "Baseline only: no change to judge yet." if scores == 1 else "No MCID is listed for this measure."
    cited = f"({verdict.get('citation') or 'source not listed'}) [{verdict.get('evidence', 'NF')}]"
    own = ", the clinic's own" if verdict.get("overridden") else ""
    if verdict.get("rule") == "groc_threshold":
        met = "Improved" if verdict.get("responder") else "Not improved"
        return f"{met}: GROC of +{verdict['threshold']} or more counts as improved{own} {cited}."
    unit = verdict.get("unit", "points")
    if verdict.get("rule") == "relative":
        rule = f"MCID {verdict.get('relative_percent', 30):g} % of the baseline ({verdict['mcid']:g} {unit}{own})"
    else:
        rule = f"MCID {verdict['mcid']:g} {unit}{own}"
    met = "reaches" if verdict.get("responder") else "does not reach"
    return f"Improvement {verdict['improvement']:+g} {unit}: {met} the {rule} {cited}."


def outcome_verdicts_for(*, actor: User, patient: Patient) -> dict[int, list[VerdictLine]]:
    """By episode id: one line per instrument scored, in the order first scored. One read."""
    from dryneedling.clinical.instruments import get_instruments

    require(actor=actor, capability=CLINICAL)
    instruments = get_instruments()
    grouped: dict[tuple[int, str], list[OutcomeRecord]] = {}
    records = OutcomeRecord.objects.for_actor(actor).filter(patient=patient).order_by("recorded_at", "id")
    for record in records:
        grouped.setdefault((record.episode_id, record.instrument_id), []).append(record)
    lines: dict[int, list[VerdictLine]] = {}
    for (episode_id, instrument_id), rows in grouped.items():
        first, last = rows[0], rows[-1]
        inst = instruments.get(instrument_id)
        lines.setdefault(episode_id, []).append(
            VerdictLine(
                episode_id=episode_id,
                name=inst.name if inst else OTHER_SERIES.get(instrument_id, (instrument_id,))[0],
                baseline=first.value,
                baseline_at=first.recorded_at,
                latest=last.value,
                latest_at=last.recorded_at,
                words=verdict_words(last.verdict, scores=len(rows)),
            )
        )
    return lines
