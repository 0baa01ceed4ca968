"""What each check-in asks. Red-flag answers show urgent-care instructions and alert the clinic."""

from __future__ import annotations

from typing import Any

from dryneedling.clinical import text
from dryneedling.clinical.text import forbidden_characters

SIDE_EFFECTS = (
    ("pain_after", "Soreness where the needles went in"),
    ("bruising", "Bruising"),
    ("bleeding", "Bleeding"),
    ("cramping", "Cramping"),
    ("fatigue", "Tiredness"),
    ("headache", "Headache"),
    ("nausea", "Feeling sick"),
)
RED_FLAGS = (
    ("breathing", "Shortness of breath or chest pain since the needling"),
    ("infection", "Fever, or redness or swelling spreading from a needle spot"),
    ("severe_pain", "Severe pain, or pain that keeps getting worse"),
)
ADHERENCE = (
    ("never", "Not at all"),
    ("some_days", "Some days"),
    ("most_days", "Most days"),
    ("every_day", "Every day"),
)
# Sources for the red flags and urgent-care advice (knowledge base source ids).
RED_FLAG_SOURCES = ("bn121", "hdc_2017", "navarro_santana_2020")


FIELD_LABELS = {
    "soreness": "How sore you are now",
    "pain": "Your pain now",
    "groc": "Compared with before treatment",
    "resolved": "Has it settled",
    "side_effects": "What you noticed",
    "adherence": "Home care",
    **{f"activity_{i}": f"Activity {i}" for i in range(1, 4)},
    **{f"activity_{i}_score": f"Activity {i} score" for i in range(1, 4)},
}


def _label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def red_flags_of(raw: dict[str, Any]) -> list[str]:
    """The red flags ticked in raw answers."""
    return [key for key, _ in RED_FLAGS if raw.get(f"flag_{key}") in (True, "yes", "on")]


def validate(kind: str, raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Clean answers for one check-in kind, and the red flags they raise. ValueError on bad input."""
    answers: dict[str, Any] = {}

    def number(key: str, low: int, high: int, *, required: bool = True) -> None:
        value = raw.get(key)
        if value in (None, ""):
            if required:
                raise ValueError(f"{_label(key)}: please answer this question.")
            return
        try:
            number_value = int(str(value))
        except (TypeError, ValueError):
            raise ValueError(f"{_label(key)}: choose a number from {low} to {high}.") from None
        if not low <= number_value <= high:
            raise ValueError(f"{_label(key)}: choose a number from {low} to {high}.")
        answers[key] = number_value

    flags = red_flags_of(raw)
    answers["red_flags"] = flags
    if kind == "soreness":
        number("soreness", 0, 10)
        known = {key for key, _ in SIDE_EFFECTS}
        effects = raw.get("side_effects") or []
        if isinstance(effects, str):
            effects = [effects]
        if any(e not in known for e in effects):
            raise ValueError(f"{_label('side_effects')}: choose from the list.")
        answers["side_effects"] = sorted(set(effects))
        resolved = raw.get("resolved")
        if resolved not in ("yes", "no", "none"):
            raise ValueError(f"{_label('resolved')}: say whether it has settled.")
        answers["resolved"] = resolved
    else:
        number("pain", 0, 10)
        activities = []
        for index in range(1, 4):
            name = str(raw.get(f"activity_{index}", "")).strip()[:80]
            rating = raw.get(f"activity_{index}_score")
            if name or rating not in (None, ""):
                number(f"activity_{index}_score", 0, 10)
                if not name:
                    raise ValueError(f"{_label(f'activity_{index}')}: name the activity you rated.")
                if forbidden_characters(name, multiline=False):
                    raise ValueError(f"{_label(f'activity_{index}')}: {text.MESSAGE}")
                activities.append({"name": name, "score": answers.pop(f"activity_{index}_score")})
        if not activities:
            raise ValueError("Activity 1: name one activity and rate how well you can do it.")
        answers["activities"] = activities
        number("groc", -7, 7)
        if raw.get("adherence") not in {key for key, _ in ADHERENCE}:
            raise ValueError(f"{_label('adherence')}: say how often you did your home care.")
        answers["adherence"] = raw["adherence"]
    return answers, flags


def outcome_rows(answers: dict[str, Any]) -> list[tuple[str, float, list[int] | None]]:
    """The scores a check-in's answers give: (instrument id, value, item scores)."""
    from dryneedling.clinical.instruments import score

    rows: list[tuple[str, float, list[int] | None]] = []
    if "pain" in answers:
        rows.append(("nprs", score(instrument_id="nprs", total=answers["pain"]).value, None))
    if answers.get("activities"):
        ratings = [a["score"] for a in answers["activities"]]
        try:
            rows.append(("psfs", score(instrument_id="psfs", items=ratings).value, ratings))
        except ValueError:  # the PSFS takes 3 to 5 activities: fewer stay in the answers, unscored
            pass
    if "groc" in answers:
        rows.append(("groc", float(answers["groc"]), None))
    if "soreness" in answers:
        rows.append(("nprs_soreness", float(answers["soreness"]), None))
    return rows
