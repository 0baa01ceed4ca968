"""Issue 11: CPT 20560/20561 count anatomical muscles, not knowledge-base entries."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dryneedling.clinical.billing import derive_cpt, get_billing, load_billing
from dryneedling.clinical.knowledge import Knowledge, KnowledgeError, get_knowledge
from tests.clinical.test_billing import _broken

HAMSTRINGS = ("biceps_femoris", "semitendinosus", "semimembranosus")


def test_the_trapezius_session_bills_20560() -> None:
    """Upper + middle/lower trapezius are one muscle: with levator scapulae, 2 muscles, not 3."""
    r = derive_cpt(
        needled=[("upper_trapezius", "right"), ("middle_lower_trapezius", "right"), ("levator_scapulae", "right")]
    )
    assert (r.code, r.muscle_count) == ("20560", 2)
    assert r.counted == (("levator_scapulae", "right"), ("trapezius", "right"))
    assert r.labels == ("Levator scapulae (right)", "Trapezius (right)")
    assert "CPT-ANATOMICAL-MUSCLE" in r.rules_applied and "fipat_ta2" in r.sources


def test_hamstrings_named_as_three_muscles_count_three() -> None:
    r = derive_cpt(needled=[("hamstrings", "left", m) for m in HAMSTRINGS])
    assert (r.code, r.muscle_count) == ("20561", 3)
    assert {k for k, _ in r.counted} == set(HAMSTRINGS)
    assert "Members named in a grouped entry count apart" in r.explanation


def test_a_grouped_entry_without_the_member_named_counts_once() -> None:
    r = derive_cpt(needled=[("hamstrings", "left")] * 3)
    assert (r.code, r.muscle_count) == ("20560", 1)
    assert r.labels[0].endswith("member not named (left)")
    assert "CPT-GROUPED-UNNAMED" in r.rules_applied


def test_an_unnamed_grouped_record_adds_nothing_beside_a_named_member_on_that_side() -> None:
    r = derive_cpt(needled=[("scalenes", "right"), ("scalenes", "right", "anterior_scalene")])
    assert (r.muscle_count, r.counted) == (1, (("anterior_scalene", "right"),))
    assert "added nothing" in r.explanation
    # a member named on the other side does not absorb it
    r = derive_cpt(needled=[("scalenes", "left"), ("scalenes", "right", "anterior_scalene")])
    assert r.muscle_count == 2


def test_parts_of_one_muscle_in_two_entries_count_once() -> None:
    r = derive_cpt(needled=[("lumbar_multifidus", "left"), ("cervical_multifidus_semispinalis", "left", "multifidus")])
    assert (r.muscle_count, r.counted) == (1, (("multifidus", "left"),))


def test_the_laterality_rule_still_counts_both_sides() -> None:
    r = derive_cpt(needled=[("upper_trapezius", "left"), ("middle_lower_trapezius", "right")])
    assert r.muscle_count == 2 and "CPT-LATERALITY [M]" in r.explanation


def test_a_named_muscle_must_belong_to_the_entry() -> None:
    with pytest.raises(ValueError, match="not a muscle of"):
        derive_cpt(needled=[("hamstrings", "left", "rectus_femoris")])
    with pytest.raises(ValueError, match="not a muscle of"):
        derive_cpt(needled=[("upper_trapezius", "left", "biceps_femoris")])


@pytest.mark.parametrize(
    "entry, members",
    [
        ("hamstrings", 3),
        ("scalenes", 3),
        ("suboccipitals", 4),
        ("rhomboids", 2),
        ("iliopsoas", 2),
        ("iliocostalis_longissimus", 2),
        ("abdominal_wall", 3),
        ("upper_trapezius", 1),
        ("middle_lower_trapezius", 1),
        ("hip_adductors", 3),
        ("forearm_flexors", 5),
        ("biceps_brachialis", 2),
        ("thoracic_paraspinals", 2),
        ("intercostals", 3),
        ("deltoid", 1),
    ],
)
def test_grouped_entries_declare_their_members(entry: str, members: int) -> None:
    assert len(get_billing().members(entry)) == members


def test_every_entry_whose_name_lists_several_muscles_declares_its_identity() -> None:
    """A name that lists muscles ('X and Y', 'Group (a, b, c)') is a grouped entry or the parts of one
    muscle: either way billing must say which, or it would count one muscle where there are several."""
    declared = get_billing().identities_declared
    listing = [
        m.id
        for m in get_knowledge().muscles.values()
        if " and " in m.name or ("(" in m.name and "," in m.name.split("(", 1)[1])
    ]
    assert listing, "the knowledge base has grouped entries"
    assert [m for m in listing if m not in declared] == []


def test_every_knowledge_base_muscle_has_an_identity() -> None:
    data = get_billing()
    assert set(data.identities) == set(get_knowledge().muscles)
    assert all(data.identities.values())
    assert data.members("gluteus_medius") == ("gluteus_medius",)  # default: the entry's own id


def test_a_new_entry_without_an_identity_loads_as_its_own_muscle(kb: Knowledge) -> None:
    muscles = dict(kb.muscles)
    muscles["teres_major"] = dataclasses.replace(kb.muscles["teres_minor"], id="teres_major", name="Teres major")
    grown = dataclasses.replace(kb, muscles=muscles)
    assert load_billing(knowledge=grown).members("teres_major") == ("teres_major",)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda d: d["identities"].append({"muscle": "nobody", "anatomical": ["x"]}), "unknown knowledge-base muscle"),
        (lambda d: d["identities"][6].update(anatomical=[]), "grouped entry must name its member"),
        (lambda d: d["identities"].append(dict(d["identities"][0])), "declared twice"),
        (lambda d: d["identities"][0].update(anatomical=["Trapezius"]), "is not an id"),
        (lambda d: d["identities"][0].update(side="left"), "unknown field"),
    ],
)
def test_broken_identities_fail_at_load(
    tmp_path: Path, kb: Knowledge, edit: Callable[[dict[str, Any]], object], match: str
) -> None:
    with pytest.raises(KnowledgeError, match=match):
        load_billing(_broken(tmp_path, edit), knowledge=kb)
