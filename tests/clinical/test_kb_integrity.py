"""Referential integrity of the packaged knowledge base (independent of the loader's own checks)."""

from __future__ import annotations

from dryneedling.clinical import bodychart
from dryneedling.clinical._integrity import GUARDRAIL_KINDS, PLAUSIBLE_REGIONS
from dryneedling.clinical.credentials import get_credentials
from dryneedling.clinical.intake import QUESTIONS_BY_KEY
from dryneedling.clinical.knowledge import Knowledge
from dryneedling.clinical.safety import CHECKS
from dryneedling.clinical.sites import SITES


def _all_source_refs(kb: Knowledge) -> list[tuple[str, str]]:
    refs: list[tuple[str, str]] = []
    for m in kb.muscles.values():
        refs += [(m.id, s) for s in m.sources + m.needle.sources]
    for c in kb.conditions.values():
        refs += [(c.id, s) for s in c.sources + c.typical_course.sources]
    for se in kb.side_effects.values():
        refs += [(se.id, s) for s in se.sources] + [(se.id, r.source) for r in se.rates]
    for table in (kb.contraindications, kb.evidence, kb.guardrails):
        for item in table.values():
            refs += [(item.id, s) for s in item.sources]
    refs += [(r.id, s) for r in kb.screening_rules for s in r.sources]
    refs += [("bodychart", s) for s in bodychart.get_chart().sources]
    credentials = get_credentials()
    refs += [("clinic_policy", s) for s in credentials.policy.sources]
    refs += [(j.id, s) for j in credentials.jurisdictions.values() for s in j.sources]
    return refs


def test_every_source_id_exists(kb: Knowledge) -> None:
    missing = [(owner, s) for owner, s in _all_source_refs(kb) if s not in kb.sources]
    assert not missing


def test_every_source_is_cited_somewhere(kb: Knowledge) -> None:
    used = {s for _, s in _all_source_refs(kb)}
    assert set(kb.sources) - used == set()


def test_every_muscle_and_condition_reference_exists(kb: Knowledge) -> None:
    for c in kb.conditions.values():
        assert set(c.muscles) <= set(kb.muscles), c.id
        assert set(c.evidence_ids) <= set(kb.evidence), c.id
    for e in kb.evidence.values():
        assert set(e.conditions) <= set(kb.conditions), e.id
    for g in kb.guardrails.values():
        assert set(g.params.get("muscles", ())) <= set(kb.muscles), g.id
    for r in kb.screening_rules:
        assert r.contraindication is None or r.contraindication in kb.contraindications, r.id
        assert r.when.keys() <= set(QUESTIONS_BY_KEY), r.id


def test_most_muscles_are_linked_to_a_condition(kb: Knowledge) -> None:
    linked = {m for c in kb.conditions.values() for m in c.muscles}
    assert len(linked) >= 40


def test_trigger_points_inside_chart_and_in_plausible_region(kb: Knowledge) -> None:
    for m in kb.muscles.values():
        assert m.trigger_points, m.id
        for tp in m.trigger_points:
            assert bodychart.inside_chart(tp.view, tp.x, tp.y), (m.id, tp)
            rid = bodychart.region_at(tp.view, tp.x, tp.y)
            assert rid is not None and bodychart.side_of(rid) in ("right", None), (m.id, rid)
            assert rid.startswith(PLAUSIBLE_REGIONS[m.body_region]), (m.id, rid)
            mirrored = bodychart.region_at(tp.view, bodychart.mirror_x(tp.x), tp.y)
            assert mirrored is not None and bodychart.base_of(mirrored) == bodychart.base_of(rid)


def test_referral_regions_exist_on_both_sides(kb: Knowledge) -> None:
    for m in kb.muscles.values():
        assert m.referral_primary, m.id
        for base in m.referral_primary + m.referral_spillover:
            ids = bodychart.expand_base(base)
            assert ids, (m.id, base)
            assert bodychart.expand_base(base, "right") and bodychart.expand_base(base, "left")


def test_flags_match_hazards(kb: Knowledge) -> None:
    for m in kb.muscles.values():
        text = " ".join(m.hazards).lower()
        if m.lung_risk:
            assert "lung" in text or "pleura" in text, m.id
            assert m.safe_handling, m.id
        if m.kidney_risk:
            assert "kidney" in text, m.id
    assert kb.muscles["rhomboids"].safe_depth_mm == 19
    assert kb.guardrails["GR-THORAX-DEPTH-GENERAL"].params["lung_reach_mm"] == 31
    assert kb.guardrails["GR-KIDNEY-ZONE"].params["lateral_cm"] == 2.5


def test_guardrail_kinds_are_all_implemented() -> None:
    assert set(CHECKS) == set(GUARDRAIL_KINDS)


def test_sites_map_to_regions() -> None:
    for site_id, site in SITES.items():
        assert site.region_ids or site.zones, site_id
        if site.side:
            assert all(bodychart.side_of(r) == site.side for r in site.region_ids), site_id


def test_every_absolute_contraindication_has_a_blocking_rule(kb: Knowledge) -> None:
    blocking = {r.contraindication for r in kb.screening_rules if r.effect == "not_suitable_now"}
    absolute = {c.id for c in kb.contraindications.values() if c.kind == "absolute"}
    assert absolute <= blocking
