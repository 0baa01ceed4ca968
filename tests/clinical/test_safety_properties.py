"""Properties of the safety engine: more risk never allows more; less consent never allows more."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dryneedling.clinical.education import consent_items
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.safety import VERDICTS

from .safety_plans import ALL_ITEMS, insertion, plan, run

MUSCLES = sorted(get_knowledge().muscles)
REQUIRED = {i.id for i in consent_items() if i.required}
RISK_ANSWERS: dict[str, Any] = {
    "implants": ["pacemaker_or_stimulator"],
    "epilepsy": True,
    "anticoagulants": True,
    "bleeding_disorder": True,
    "lymphoedema_limbs": ["left_arm", "right_leg"],
    "infection_sites": ["chest", "upper_back"],
    "pregnancy": "second_trimester",
    "unwilling": True,
}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    electrical = draw(st.booleans())
    others = draw(st.lists(st.tuples(st.sampled_from(MUSCLES), st.sampled_from(["left", "right"])), max_size=2))
    session = [insertion(m, side=s, length=30, electrical=electrical) for m, s in others]
    paired = draw(st.sampled_from([None, *range(len(session))])) if electrical else None
    ins = insertion(
        draw(st.sampled_from(MUSCLES)),
        side=draw(st.sampled_from(["left", "right", "midline"])),
        length=draw(st.sampled_from([13, 30, 50])),
        electrical=electrical,
        paired_with=paired,
        handling=draw(st.sampled_from([None, "pincer", "bracketing", "flat_palpation"])),
    )
    return plan(ins, session={"insertions": session})


def _rank(raw: dict[str, Any]) -> int:
    return VERDICTS.index(run(raw).level)


@SETTINGS
@given(raw=plans(), risks=st.lists(st.sampled_from(sorted(RISK_ANSWERS)), min_size=1, unique=True), thin=st.booleans())
def test_adding_a_risk_fact_never_allows_more(raw: dict[str, Any], risks: list[str], thin: bool) -> None:
    riskier = copy.deepcopy(raw)
    riskier["screening"] = {"answers": {k: RISK_ANSWERS[k] for k in risks}}
    if thin:
        riskier["patient"].update(height_cm=175, weight_kg=45)
    assert _rank(riskier) >= _rank(raw)


@SETTINGS
@given(raw=plans(), removed=st.lists(st.sampled_from(ALL_ITEMS), min_size=1, unique=True))
def test_removing_a_consent_item_never_allows_more(raw: dict[str, Any], removed: list[str]) -> None:
    less = copy.deepcopy(raw)
    less["consent"]["items"] = [i for i in ALL_ITEMS if i not in removed]
    assert _rank(less) >= _rank(raw)
    if any(i in REQUIRED for i in removed):
        assert run(less).level == "block"
