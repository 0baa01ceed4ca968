"""The progress report of an episode, for the referring physician or the payer (issue 11):
diagnosis, sessions and their dates, muscles treated, outcomes from baseline with the MCID verdict
and its source, side effects, and the plan of the latest note. Clinicians only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dryneedling.accounts import zones
from dryneedling.accounts.models import User
from dryneedling.clinical.instruments import change, get_instrument_data, get_instruments
from dryneedling.followup.reports import side_effects_merged
from dryneedling.followup.selectors import outcomes_for_episode
from dryneedling.patients.models import Episode, EpisodeCondition
from dryneedling.treatment.models import Note, Session
from dryneedling.treatment.selectors import muscle_name


@dataclass(frozen=True)
class OutcomeLine:
    name: str
    baseline: str
    latest: str
    verdict: str


def _verdict(instrument_id: str, baseline: float, latest: float) -> str:
    """The change against the instrument's MCID, with its source, in words."""
    instruments = get_instruments()
    if instrument_id not in instruments:
        return "No MCID: not a catalogued instrument."
    if instruments[instrument_id].kind == "change":
        return "A rating of change itself: the latest answer is the result."
    result = change(instrument_id=instrument_id, baseline=baseline, follow_up=latest)
    if result.mcid is None:
        return f"Change {result.delta:+g} {result.unit}; no MCID is listed for this measure."
    sources = get_instrument_data().sources
    cited = "; ".join(sources[s].citation.split(".")[0] for s in result.mcid_sources if s in sources)
    met = "reaches" if result.responder else "does not reach"
    return (
        f"Improvement {result.improvement:+g} {result.unit}: {met} the MCID of {result.mcid:g} "
        f"({cited or 'source not listed'}) [{result.evidence}]."
    )


def _outcomes(actor: User, episode: Episode) -> list[OutcomeLine]:
    by_instrument: dict[str, list[tuple[Any, float]]] = {}
    for o in outcomes_for_episode(actor=actor, episode=episode):
        by_instrument.setdefault(o.instrument_id, []).append((o.recorded_at, o.value))
    instruments = get_instruments()
    lines = []
    for instrument_id, scores in by_instrument.items():
        (first_at, first), (last_at, last) = scores[0], scores[-1]
        name = instruments[instrument_id].name if instrument_id in instruments else instrument_id
        on = zones.local
        verdict = _verdict(instrument_id, first, last) if len(scores) > 1 else "One score only: no change yet."
        lines.append(
            OutcomeLine(
                name=name,
                baseline=f"{first:g} ({on(first_at, episode.clinic):%Y-%m-%d})",
                latest=f"{last:g} ({on(last_at, episode.clinic):%Y-%m-%d})",
                verdict=verdict,
            )
        )
    return lines


def progress_report_for(*, actor: User, episode: Episode) -> dict[str, Any]:
    """The report's context; `outcomes_for_episode` refuses any role but the clinician's."""
    outcomes = _outcomes(actor, episode)
    sessions = (
        Session.objects.for_clinic(episode.clinic_id)
        .filter(episode=episode)
        .order_by("started_at", "id")
        .prefetch_related("insertions")
    )
    rows = []
    for session in sessions:
        muscles = sorted({f"{muscle_name(i.muscle_id)} ({i.side})" for i in session.insertions.all()})
        rows.append({"date": zones.local(session.started_at, episode.clinic), "muscles": muscles})
    notes = Note.objects.for_clinic(episode.clinic_id).filter(session__episode=episode)
    latest = notes.filter(signed_at__isnull=False).order_by("-signed_at", "-id").first()
    return {
        "clinic": episode.clinic,
        "episode": episode,
        "patient": episode.patient,
        "conditions": list(
            EpisodeCondition.objects.for_clinic(episode.clinic_id).filter(episode=episode).order_by("position", "id")
        ),
        "sessions": rows,
        "outcomes": outcomes,
        "side_effects": [
            (zones.local(when, episode.clinic), name, how) for when, name, how in side_effects_merged(episode=episode)
        ],
        "plan": latest.plan if latest is not None else "",
        "plan_signed_at": zones.local(latest.signed_at, episode.clinic) if latest and latest.signed_at else None,
    }
