"""The synthetic clinic carries the planted effects (synthetic/treatment_gen.py, followup_gen.py),
and "What predicts response" finds them: response more likely with a higher baseline pain band and
with twitch responses (odds ratios above 1, intervals excluding 1); and the clinician with the
doubled side-effect rate sits above the clinic's 95% funnel limit (clinical.stats.funnel)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Count, Q

from dryneedling.clinical.stats import funnel_position
from dryneedling.reports.response import response_figures_for
from dryneedling.synthetic.loader import seed_clinic
from dryneedling.synthetic.treatment_gen import DOUBLED_SIDE_EFFECT_CLINICIAN
from dryneedling.synthetic.treatment_loader import synthetic_clinicians
from dryneedling.treatment.models import Session

NOW = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
PATIENTS = 600  # about 350 episodes with a 4–12-week score; seeded once (the slow part, ~10 s)


def test_a_seeded_synthetic_clinic_carries_the_planted_effects(alice, dana):  # type: ignore[no-untyped-def]
    clinic = alice.membership.clinic
    seed_clinic(clinic=clinic, patients=PATIENTS, seed=12, now=NOW)
    _the_response_figures_find_the_planted_effects(alice, dana)
    _the_doubled_side_effect_clinician_is_above_the_clinics_95_percent_limit(clinic)


def _term(figures, start: str):  # type: ignore[no-untyped-def]
    return next(t for t in figures.model.terms if t.name.startswith(start))


def _the_response_figures_find_the_planted_effects(alice, dana):  # type: ignore[no-untyped-def]
    figures = response_figures_for(actor=dana)
    assert figures.judged > 150
    assert figures.model.fitted, figures.model.problems
    pain, twitch = _term(figures, "Baseline pain"), _term(figures, "Twitch")
    print(f"n={figures.model.n}: pain band OR {pain}, twitch OR {twitch}")
    assert pain.odds_ratio > 1 and pain.low > 1, pain
    assert twitch.odds_ratio > 1 and twitch.low > 1, twitch
    rates = {(r.factor, r.group): r.interval.estimate for r in figures.rates}
    assert rates[("Baseline pain (NPRS)", "0–3")] < rates[("Baseline pain (NPRS)", "4–6")]
    assert rates[("Baseline pain (NPRS)", "4–6")] < rates[("Baseline pain (NPRS)", "7–10")]
    assert rates[("Twitch responses obtained", "None")] < rates[("Twitch responses obtained", "Any")]
    assert figures.curves and all(c.result.n for c in figures.curves)
    assert response_figures_for(actor=alice).model.terms == figures.model.terms  # same clinic, same figures


def _the_doubled_side_effect_clinician_is_above_the_clinics_95_percent_limit(clinic):  # type: ignore[no-untyped-def]
    sessions = Session.objects.for_clinic(clinic).filter(status=Session.Status.COMPLETED)
    per = dict(
        (row["clinician"], (row["n"], row["with_effect"]))
        for row in sessions.values("clinician").annotate(
            n=Count("pk", distinct=True),
            with_effect=Count("pk", filter=Q(adverse_events__isnull=False), distinct=True),
        )
    )
    total = sum(n for n, _ in per.values())
    clinic_rate = sum(e for _, e in per.values()) / total
    clinicians = synthetic_clinicians(clinic)
    flagged = clinicians[DOUBLED_SIDE_EFFECT_CLINICIAN].pk
    n, events = per[flagged]
    print(f"doubled clinician: {events}/{n} against the clinic's {clinic_rate:.3f}")
    assert funnel_position(events, n, clinic_rate).startswith("above"), (events, n, clinic_rate)
    for user in clinicians:
        if user.pk != flagged:
            assert not funnel_position(*reversed(per[user.pk]), clinic_rate).startswith("above")
