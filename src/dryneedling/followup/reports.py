"""Composes the outcome chart of an episode from its outcomes, sessions and side effects."""

from __future__ import annotations

from datetime import date, datetime

from dryneedling.accounts import zones
from dryneedling.accounts.models import User
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.followup.charts import Series, group_by_day, outcome_chart_svg
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
        for e in AdverseEvent.objects.for_clinic(episode.clinic_id).filter(
            patient_id=episode.patient_id,
            session__episode=episode,  # the patient's index (issue 14)
        )
    ]
    for check_in in CheckIn.objects.for_clinic(episode.clinic_id).filter(
        episode=episode, answered_at__isnull=False, kind=CheckIn.Kind.SORENESS
    ):
        for effect in (check_in.answers or {}).get("side_effects", []):
            rows.append((check_in.answered_at or check_in.due_at, names.get(effect, effect), "reported by the patient"))
    return sorted(rows, key=lambda row: row[0])


# The answer anchors in the words the patient answered against (templates/public/check_in.html).
ANCHORS: dict[str, dict[float, str]] = {
    "nprs": {0: "no pain", 10: "worst imaginable"},
    "nprs_soreness": {0: "not sore", 10: "worst imaginable"},
    "psfs": {0: "cannot do it", 10: "as before"},
    "groc": {-7: "a very great deal worse", 0: "about the same", 7: "a very great deal better"},
}
# Scores the catalogue does not hold: the post-needling soreness rating of the soreness check-in.
OTHER_SERIES = {"nprs_soreness": ("Post-needling soreness", (0.0, 10.0), "higher_is_worse")}
KIND_ORDER = ("pain", "sensitivity", "change", "function")


def _series_label(instrument_id: str) -> tuple[str, tuple[float, float], int]:
    """The panel's label (name, range, direction), its range, and its place among the panels."""
    from dryneedling.clinical.instruments import get_instruments

    instrument = get_instruments().get(instrument_id)
    if instrument is None:
        name, (lo, hi), direction = OTHER_SERIES.get(instrument_id, (instrument_id, (0.0, 10.0), ""))
        order = 1
    else:
        name, (lo, hi), direction = instrument.name, instrument.total_range, instrument.direction
        order = KIND_ORDER.index(instrument.kind) * 2 if instrument.kind in KIND_ORDER else 9
    better = {"higher_is_worse": ", lower is better", "higher_is_better": ", higher is better"}.get(direction, "")
    return f"{name} ({lo:g} to {hi:g}{better})", (lo, hi), order


def outcome_chart_for(*, actor: User, episode: Episode) -> str:
    """The episode's outcome chart: every instrument recorded (one panel each), scores of one day
    (in the clinic's zone) grouped, sessions and side effects; clinicians only, as
    `outcomes_for_episode` refuses other roles."""
    outcomes = list(outcomes_for_episode(actor=actor, episode=episode))
    by_instrument: dict[str, list[tuple[date, float]]] = {}
    for o in outcomes:
        by_instrument.setdefault(o.instrument_id, []).append(
            (zones.local(o.recorded_at, episode.clinic).date(), o.value)
        )
    series = []
    for instrument_id, scores in by_instrument.items():
        label, y_range, order = _series_label(instrument_id)
        one = Series(
            label=label,
            points=group_by_day(scores),
            y_range=y_range,
            anchors=ANCHORS.get(instrument_id, {}),
            mcid=pain_mcid() if instrument_id == "nprs" else None,
        )
        series.append((order, label, one))
    sessions = [
        zones.local(when, episode.clinic)
        for when in Session.objects.for_clinic(episode.clinic_id)
        .filter(patient_id=episode.patient_id, episode=episode)  # the patient's index (issue 14)
        .values_list("started_at", flat=True)
    ]
    events = [(zones.local(when, episode.clinic), name) for when, name, _ in side_effects_merged(episode=episode)]
    return outcome_chart_svg(
        series=[s for _, _, s in sorted(series, key=lambda row: row[:2])], events=events, sessions=sessions
    )


def pain_mcid_caption() -> str:
    """The MCID drawn on the outcome chart, with its sources and evidence tag."""
    from dryneedling.clinical.instruments import change, get_instrument_data

    result = change(instrument_id="nprs", baseline=5, follow_up=5)
    sources = get_instrument_data().sources
    cited = "; ".join(sources[s].citation.split(".")[0] for s in result.mcid_sources if s in sources)
    return f"Shaded band: change smaller than the NPRS MCID of {result.mcid:g} points ({cited}) [{result.evidence}]."
