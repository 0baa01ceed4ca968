"""The needle the point form offers for each muscle comes from the knowledge base (issue 11)."""

from __future__ import annotations

from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.web.forms.treatment import DIAMETERS, LENGTHS, needle_defaults


def test_every_muscle_with_a_typical_needle_gets_an_offered_choice_within_its_range() -> None:
    offered = needle_defaults()
    lengths, diameters = {n for n, _ in LENGTHS}, {d for d, _ in DIAMETERS}
    with_range = [m for m in get_knowledge().muscles.values() if m.needle.length_mm is not None]
    assert with_range and set(offered) == {m.id for m in with_range}
    for muscle in with_range:
        short, longest = muscle.needle.length_mm  # type: ignore[misc]
        entry = offered[muscle.id]
        assert entry["needle_length_mm"] in lengths
        assert short <= entry["needle_length_mm"] <= max(longest, short), muscle.id
        assert entry["max_length_mm"] == longest
        if muscle.needle.diameter_mm is not None:
            assert entry["needle_diameter_mm"] in diameters


def test_the_levator_scapulae_is_offered_a_short_needle() -> None:
    """The KB correction of issue 11 (25-40 mm aimed at bone) is what the form offers."""
    assert needle_defaults()["levator_scapulae"]["needle_length_mm"] == 25
