"""Composes the outcome chart of an episode from its outcomes, sessions and side effects."""

from __future__ import annotations

from datetime import datetime

from dryneedling.accounts.models import User
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.followup.charts import outcome_chart_svg
from dryneedling.followup.models import CheckIn
from dryneedling.followup.selectors import outcomes_for_episode
from dryneedling.patients.models import Episode
from dryneedling.treatment.models import AdverseEvent, Session


def pain_mcid() -> float | None:
    from dryneedling.clinical.instruments import change

    return change(instrument_id="nprs", baseline=5, follow_up=5).mcid


def side_effects_merged(*, episode: Episode) -> list[tuple[datetime, str, str]]:
    """Side effects recorded in the clinic and reported by the patient at check-ins, by date."""
    names = {e.id: e.name for e in get_knowledge().side_effects.values()}
    rows: list[tuple[datetime, str, str]] = [
        (e.onset_at, names.get(e.kind, e.kind), f"recorded by the clinic ({e.get_severity_display().lower()})")
        for e in AdverseEvent.objects.for_clinic(episode.clinic_id).filter(session__episode=episode)
    ]
    for check_in in CheckIn.objects.for_clinic(episode.clinic_id).filter(
        episode=episode, answered_at__isnull=False, kind=CheckIn.Kind.SORENESS
    ):
        for effect in (check_in.answers or {}).get("side_effects", []):
            rows.append((check_in.answered_at or check_in.due_at, names.get(effect, effect), "reported by the patient"))
    return sorted(rows, key=lambda row: row[0])


def outcome_chart_for(*, actor: User, episode: Episode) -> str:
    """The episode's outcome chart (pain, function, sessions, side effects): clinicians only, as
    `outcomes_for_episode` refuses other roles."""
    outcomes = list(outcomes_for_episode(actor=actor, episode=episode))
    pain = [(o.recorded_at, o.value) for o in outcomes if o.instrument_id == "nprs"]
    function = [(o.recorded_at, o.value) for o in outcomes if o.instrument_id == "psfs"]
    sessions = list(
        Session.objects.for_clinic(episode.clinic_id).filter(episode=episode).values_list("started_at", flat=True)
    )
    events = [(when, name) for when, name, _ in side_effects_merged(episode=episode)]
    return outcome_chart_svg(
        pain=pain,
        function=function,
        function_label="PSFS (0-10, higher is better)",
        pain_mcid=pain_mcid(),
        events=events,
        sessions=sessions,
    )  # type: ignore[arg-type]


def pain_mcid_caption() -> str:
    """The MCID drawn on the outcome chart, with its sources and evidence tag."""
    from dryneedling.clinical.instruments import change, get_instrument_data

    result = change(instrument_id="nprs", baseline=5, follow_up=5)
    sources = get_instrument_data().sources
    cited = "; ".join(sources[s].citation.split(".")[0] for s in result.mcid_sources if s in sources)
    return f"Shaded band: change smaller than the NPRS MCID of {result.mcid:g} points ({cited}) [{result.evidence}]."
