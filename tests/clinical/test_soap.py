"""SOAP note generation for a dry-needling session."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dryneedling.clinical.soap import AdverseEvent, Finding, Insertion, SessionRecord, SoapNote, generate_soap

UT = Insertion(
    muscle_id="upper_trapezius",
    side="right",
    technique="pistoning",
    needle_diameter_mm=0.3,
    needle_length_mm=30,
    duration_s=45,
    twitch_count=3,
    response="tolerated well",
)
LS = Insertion(
    muscle_id="levator_scapulae",
    side="left",
    technique="static",
    needle_diameter_mm=0.25,
    needle_length_mm=40,
    duration_s=300,
    twitch_count=0,
)


def _record(**overrides: Any) -> SessionRecord:
    base: dict[str, Any] = dict(
        nprs=6,
        pain_regions=("back.shoulder.right", "Temple"),
        findings=(
            Finding(
                muscle_id="upper_trapezius",
                side="right",
                status="active",
                taut_band=True,
                familiar_pain=True,
                referral_reproduced=True,
            ),
            Finding(muscle_id="levator_scapulae", side="left", status="latent"),
        ),
        insertions=(UT, LS),
        screening_decision="Suitable",
        total_needling_seconds=345,
        home_care="Upper trapezius stretch, 3 x 30 s twice daily.",
        nprs_after=3,
        follow_up="1 week",
    )
    base.update(overrides)
    return SessionRecord(**base)


def test_procedure_lists_each_muscle_side_needle_time_and_twitches() -> None:
    note = generate_soap(record=_record())
    o = note.objective
    assert "without injection" in o
    assert (
        "Upper trapezius (right): 0.30 x 30 mm needle, depth not recorded, pistoning, 45 s, 3 local twitch responses"
        in o
    )
    assert "response: tolerated well" in o
    assert (
        "Levator scapulae (left): 0.25 x 40 mm needle, depth not recorded, static, 5 min, no local twitch response."
        in o
    )
    assert "Total needling time: 5 min 45 s." in o
    assert "2 muscles (CPT 20560)" in o
    assert "No adverse events observed." in o


def test_sections_content() -> None:
    note = generate_soap(record=_record())
    assert note.subjective.startswith("Reports pain NPRS 6/10 in: Top and back of shoulder (right), Temple.")
    assert (
        "Upper trapezius (right): active trigger point; taut band palpable; tender; familiar pain reproduced; "
        "referred pain reproduced." in note.objective
    )
    assert "Levator scapulae (left): latent trigger point; tender." in note.objective
    assert "Screening before needling: Suitable." in note.assessment
    assert "Trigger points: 1 active, 1 latent." in note.assessment
    assert "NPRS 6/10 before, 3/10 after treatment." in note.assessment
    assert "Home care: Upper trapezius stretch" in note.plan and "Follow-up: 1 week" in note.plan
    assert "24-48 hours" in note.plan
    text = note.text()
    assert text.index("S:\n") < text.index("O:\n") < text.index("A:\n") < text.index("P:\n")


def test_is_deterministic() -> None:
    assert generate_soap(record=_record()) == generate_soap(record=_record())


def test_adverse_events_use_knowledge_names_and_management() -> None:
    note = generate_soap(
        record=_record(
            adverse_events=(
                AdverseEvent(name="bruising", severity="mild"),
                AdverseEvent(
                    name="Vasovagal feeling", severity="significant", management="Lay flat, recovered in 5 min."
                ),
            )
        )
    )
    assert "No adverse events observed." not in note.objective
    assert "- Bruising (mild): Haemostasis" in note.objective
    assert "- Vasovagal feeling (significant): Lay flat, recovered in 5 min." in note.objective


def test_three_muscles_give_20561_and_matching_code_is_accepted() -> None:
    third = replace(UT, muscle_id="infraspinatus", twitch_count=1)
    note = generate_soap(record=_record(insertions=(UT, LS, third), cpt_code="20561"))
    assert "3 muscles (CPT 20561)" in note.objective and "1 local twitch response" in note.objective


def test_repeat_insertions_in_one_muscle_count_once() -> None:
    note = generate_soap(record=_record(insertions=(UT, replace(UT, twitch_count=0)), cpt_code="20560"))
    assert "1 muscle (CPT 20560)" in note.objective
    assert "Local twitch responses elicited at 1 of 2 needled sites." in note.assessment


def test_wrong_cpt_code_is_refused() -> None:
    with pytest.raises(ValueError, match="does not match"):
        generate_soap(record=_record(cpt_code="20561"))
    with pytest.raises(ValueError, match="does not match"):
        generate_soap(record=_record(cpt_code="97810"))


def test_pain_not_rated() -> None:
    note = generate_soap(record=_record(nprs=None))
    assert note.subjective.startswith("Reports pain (NPRS not recorded) in: ")
    assert "NPRS 3/10 after treatment." in note.assessment and "/10 before" not in note.assessment


def test_no_needling() -> None:
    note = generate_soap(record=_record(insertions=(), total_needling_seconds=0, pain_regions=()))
    assert "Procedure: no needling performed." in note.objective
    assert "no pain regions drawn" in note.subjective
    assert "24-48 hours" not in note.plan


def test_unknown_muscle_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown muscle"):
        generate_soap(record=_record(findings=(Finding(muscle_id="bicep", side="left", status="active"),)))


@pytest.mark.parametrize(
    "build",
    [
        lambda: _record(nprs=11),
        lambda: _record(nprs_after=-1),
        lambda: _record(total_needling_seconds=0),
        lambda: _record(screening_decision=" "),
        lambda: replace(UT, side="both"),
        lambda: replace(UT, technique="twirling"),
        lambda: replace(UT, needle_diameter_mm=0),
        lambda: replace(UT, duration_s=0),
        lambda: replace(UT, twitch_count=-1),
        lambda: Finding(muscle_id="deltoid", side="left", status="dormant"),
        lambda: AdverseEvent(name="bruising", severity="awful"),
    ],
)
def test_invalid_records_raise(build: Any) -> None:
    with pytest.raises(ValueError):
        build()


def test_soapnote_is_plain_text_sections() -> None:
    note = generate_soap(record=_record())
    assert isinstance(note, SoapNote)
    assert all(isinstance(part, str) and part for part in (note.subjective, note.objective, note.assessment, note.plan))


# ---- issue 11: the note states every override, acknowledgement and procedure detail ----------
def test_needle_depth_handling_and_position_are_stated() -> None:
    ls = replace(LS, depth_mm=20, handling="pincer grasp")
    note = generate_soap(record=_record(insertions=(UT, ls), position="Prone"))
    assert "Patient position: Prone." in note.objective
    assert "Levator scapulae (left): 0.25 x 40 mm needle, depth 20 mm, pincer grasp, static, 5 min" in note.objective


def test_every_override_with_its_reason_and_every_precaution_is_stated() -> None:
    note = generate_soap(
        record=_record(
            overrides=(
                ("Near the lung [GR-LUNG] (first at the Levator scapulae)", "Pincer grasp, 25 mm needle"),
                ("Neurovascular bundle [GR-NV]", "Palpated the artery first"),
            ),
            precautions=(("Takes warfarin (INR 2.4).", "Fewer insertions, pressure after each."),),
        )
    )
    a = note.assessment
    assert "Guardrail warnings gone ahead with, and the clinician's reason:" in a
    assert "- Near the lung [GR-LUNG] (first at the Levator scapulae) Reason: Pincer grasp, 25 mm needle" in a
    assert "- Neurovascular bundle [GR-NV] Reason: Palpated the artery first" in a
    assert "- Takes warfarin (INR 2.4). Action: Fewer insertions, pressure after each." in a


def test_electrical_parameters_needle_count_and_side_effect_management_are_stated() -> None:
    electric = replace(UT, electrical="TENS 1, 2 Hz, 250 µs, 4 mA, 10 min")
    note = generate_soap(
        record=_record(
            insertions=(electric, LS),
            safety=("Needle count: 2 used, 2 removed.",),
            adverse_events=(AdverseEvent(name="bruising", severity="mild", management="Pressure 1 min."),),
        )
    )
    o = note.objective
    assert "electrical: TENS 1, 2 Hz, 250 µs, 4 mA, 10 min" in o
    assert "Needle count: 2 used, 2 removed." in o
    assert "- Bruising (mild): Pressure 1 min." in o


def test_depth_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="depth_mm"):
        replace(UT, depth_mm=0)
