"""Property tests for the screening engine (hypothesis)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dryneedling.clinical.intake import QUESTIONS, Question
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.questions import TRIMESTER_WEEKS
from dryneedling.clinical.screening import AnswerError, decision_rank, parse_answers, screen

KB = get_knowledge()
ABSOLUTE_KEYS = (
    "unwilling",
    "needle_phobia",
    "unable_to_consent",
    "cannot_communicate",
    "acute_illness",
    "systemic_infection",
)
# Answers that add a contraindication, precaution or red flag when switched on (not the
# reassuring ones: consent given, epilepsy controlled).
REASSURING = ("guardian_consent", "epilepsy_controlled")
CONTRA_BOOLS = tuple(q.key for q in QUESTIONS if q.kind == "bool" and q.group != "history" and q.key not in REASSURING)
CONTRA_MULTI = tuple(q.key for q in QUESTIONS if q.kind == "multichoice")
PREGNANT = ("possibly_pregnant", "first_trimester", "second_trimester", "third_trimester")


def _value(q: Question) -> st.SearchStrategy[Any]:
    if q.kind == "bool":
        return st.booleans()
    if q.kind == "int":
        return st.integers(min_value=int(q.min_value or 0), max_value=int(q.max_value or 120))
    if q.kind == "number":
        return st.floats(min_value=q.min_value or 0, max_value=q.max_value or 100, allow_nan=False)
    if q.kind == "date":
        return st.dates(max_value=date.today()).map(date.isoformat)
    if q.kind == "choice":
        return st.sampled_from(q.choices)
    if q.kind == "multichoice":
        return st.lists(st.sampled_from(q.choices), unique=True, max_size=len(q.choices))
    return st.text(st.characters(exclude_categories=("Cc", "Cf")), max_size=40)  # the free-text rule


@st.composite
def valid_raw(draw: st.DrawFn) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for q in QUESTIONS:
        if q.required:
            raw[q.key] = draw(_value(q))
        else:
            value = draw(st.one_of(st.none(), _value(q)))
            if value is not None:
                raw[q.key] = value
    span = TRIMESTER_WEEKS.get(raw.get("pregnancy", ""))
    if span is None:
        raw.pop("pregnancy_weeks", None)
    elif "pregnancy_weeks" in raw:
        raw["pregnancy_weeks"] = draw(st.integers(*span))
    return raw


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)
key_names = st.sampled_from([q.key for q in QUESTIONS]) | st.text(max_size=12)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(key_names, json_values, max_size=12) | json_values)
def test_arbitrary_input_never_crashes(raw: Any) -> None:
    try:
        answers = parse_answers(raw)
    except AnswerError as exc:
        assert "\n" not in str(exc)
        return
    decision = screen(answers, KB)
    assert decision.decision in (
        "suitable",
        "suitable_with_precautions",
        "not_suitable_at_some_sites",
        "not_suitable_now",
    )


@settings(max_examples=300)
@given(valid_raw())
def test_valid_answers_always_screen(raw: dict[str, Any]) -> None:
    decision = screen(parse_answers(raw), KB)
    assert decision.reasons or decision.decision == "suitable"
    for reason in decision.reasons:
        assert reason.sources and all(s in KB.sources for s in reason.sources)
    if decision.blocked_sites:
        assert decision_rank(decision.decision) >= 2


@settings(max_examples=300)
@given(valid_raw(), st.sampled_from(ABSOLUTE_KEYS))
def test_absolute_contraindication_never_suitable(raw: dict[str, Any], key: str) -> None:
    raw[key] = True
    decision = screen(parse_answers(raw), KB)
    assert decision.decision == "not_suitable_now"


@settings(max_examples=300)
@given(valid_raw())
def test_blocking_rules_never_yield_suitable(raw: dict[str, Any]) -> None:
    answers = parse_answers(raw)
    decision = screen(answers, KB)
    fired = {r.id: r for r in KB.screening_rules if r.when.holds(answers)}
    if any(r.effect in ("not_suitable_now", "refer") for r in fired.values()):
        assert decision.decision == "not_suitable_now"
    elif any(r.effect == "site_block" for r in fired.values()):
        assert decision.decision == "not_suitable_at_some_sites"


@st.composite
def add_contraindication(draw: st.DrawFn, raw: dict[str, Any]) -> dict[str, Any]:
    after = dict(raw)
    choice = draw(st.sampled_from(("bool", "multi", "pregnancy")))
    if choice == "bool":
        after[draw(st.sampled_from(CONTRA_BOOLS))] = True
    elif choice == "multi":
        key = draw(st.sampled_from(CONTRA_MULTI))
        q = next(q for q in QUESTIONS if q.key == key)
        after[key] = list(dict.fromkeys([*after.get(key, []), draw(st.sampled_from(q.choices))]))
    elif raw.get("pregnancy") == "not_pregnant":
        after["pregnancy"] = draw(st.sampled_from(PREGNANT))
        after.pop("pregnancy_weeks", None)
    return after


@settings(max_examples=400)
@given(st.data())
def test_adding_a_contraindication_is_never_more_permissive(data: st.DataObject) -> None:
    before_raw = data.draw(valid_raw())
    after_raw = data.draw(add_contraindication(before_raw))
    before = screen(parse_answers(before_raw), KB)
    after = screen(parse_answers(after_raw), KB)
    assert decision_rank(after.decision) >= decision_rank(before.decision)
    assert after.refer_to_physician or not before.refer_to_physician
    assert set(before.blocked_sites) <= set(after.blocked_sites)
