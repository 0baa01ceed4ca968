"""Cross-file checks: every referenced id exists and every chart coordinate is plausible."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .bodychart import Chart, expand_base, side_of
from .model import Knowledge, KnowledgeError

# Guardrail kinds implemented in safety.py, with the params each needs ("number" or "muscles").
GUARDRAIL_KINDS: Mapping[str, Mapping[str, str]] = {
    "thoracic_handling_unsafe": {},
    "thoracic_handling_missing": {},
    "thoracic_depth_muscle": {},
    "thoracic_depth_general": {"lung_reach_mm": "number"},
    "thoracic_low_bmi": {"bmi_below": "number"},
    "thoracic_male_sex": {},
    "bilateral_thorax": {},
    "kidney_zone": {"lateral_cm": "number"},
    "kidney_distance_unknown": {},
    "pregnancy_first_trimester": {},
    "pregnancy_site": {"muscles": "muscles"},
    "pregnancy_caution": {"muscles": "muscles"},
    "lymphoedema_limb": {},
    "lymphoedema_girdle": {},
    "needle_over_typical": {},
    "muscle_note": {"muscles": "muscles"},
    # issue 8
    "paired_midline": {},
    "thoracic_target_depth": {"lung_reach_mm": "number"},
    "antithrombotic_deep_site": {},
    "electrical_unrecorded": {},
    "electrical_implant": {},
    "electrical_thorax_pair": {},
    "electrical_pregnancy_site": {"muscles": "muscles"},
    "electrical_pregnancy": {},
    "electrical_limb_at_risk": {},
    "electrical_epilepsy": {},
    "consent_missing": {},
    "consent_outdated": {},
    "consent_incomplete": {},
    "consent_item_declined": {},
    "screening_not_now": {},
    "screening_site_block": {},
    "screening_site_caution": {},
}

# Where a muscle's trigger points may plausibly be drawn, by body region.
PLAUSIBLE_REGIONS: Mapping[str, tuple[str, ...]] = {
    "head_neck": (
        "front.head",
        "front.face",
        "front.neck",
        "back.head",
        "back.neck",
        "back.shoulder",
        "back.scapula",
        "back.thoracic",
    ),
    "shoulder_upper_limb": (
        "front.shoulder",
        "front.chest",
        "front.arm",
        "front.forearm",
        "front.hand",
        "back.shoulder",
        "back.scapula",
        "back.thoracic",
        "back.arm",
        "back.elbow",
        "back.forearm",
        "back.hand",
    ),
    "trunk_lumbopelvic": (
        "front.abdomen",
        "front.groin",
        "front.hip",
        "back.thoracic",
        "back.flank",
        "back.lumbar",
        "back.sacral",
        "back.buttock",
    ),
    "lower_limb": (
        "front.hip",
        "front.thigh",
        "front.knee",
        "front.leg",
        "front.foot",
        "back.buttock",
        "back.thigh",
        "back.knee",
        "back.calf",
        "back.foot",
    ),
}


def _fail(file: str, entry: str, field: str, problem: str) -> KnowledgeError:
    return KnowledgeError(file=file, entry=entry, field=field, problem=problem)


def _check_sources(k: Knowledge, file: str, entry: str, field: str, ids: Iterable[str]) -> None:
    for sid in ids:
        if sid not in k.sources:
            raise _fail(file, entry, field, f"unknown source id '{sid}'")


def _check_muscles(k: Knowledge, chart: Chart, origin: Mapping[str, str]) -> None:
    for m in k.muscles.values():
        file = origin.get(m.id, "muscles*.yaml")
        _check_sources(k, file, m.id, "sources", m.sources)
        _check_sources(k, file, m.id, "needle.sources", m.needle.sources)
        for field, bases in (("referral_primary", m.referral_primary), ("referral_spillover", m.referral_spillover)):
            for base in bases:
                if not expand_base(base, chart=chart):
                    raise _fail(file, m.id, field, f"unknown body-chart region '{base}'")
        overlap = set(m.referral_primary) & set(m.referral_spillover)
        if overlap:
            raise _fail(file, m.id, "referral_spillover", f"'{sorted(overlap)[0]}' is also primary")
        for i, tp in enumerate(m.trigger_points):
            field = f"trigger_points[{i}]"
            rid = next((r.id for r in chart.views[tp.view] if r.contains(tp.x, tp.y)), None)
            if rid is None:
                raise _fail(file, m.id, field, f"({tp.x:g}, {tp.y:g}) lies outside the {tp.view} silhouette")
            if side_of(rid) == "left":
                raise _fail(file, m.id, field, f"drawn on the patient's left ({rid}); draw on the right")
            if not rid.startswith(PLAUSIBLE_REGIONS[m.body_region]):
                raise _fail(file, m.id, field, f"lies in {rid}, implausible for {m.body_region}")
        if m.safe_depth_mm is not None and not m.lung_risk:
            raise _fail(file, m.id, "safe_depth_mm", "only meaningful for lung-risk muscles")
        if m.thorax is not None and not m.lung_risk:
            raise _fail(file, m.id, "thorax", "only a lung-risk muscle lies over the chest wall")


def _check_conditions(k: Knowledge) -> None:
    file = "conditions.yaml"
    for c in k.conditions.values():
        _check_sources(k, file, c.id, "sources", c.sources)
        _check_sources(k, file, c.id, "typical_course.sources", c.typical_course.sources)
        for mid in c.muscles:
            if mid not in k.muscles:
                raise _fail(file, c.id, "muscles", f"unknown muscle id '{mid}'")
        for eid in c.evidence_ids:
            if eid not in k.evidence:
                raise _fail(file, c.id, "evidence_ids", f"unknown evidence id '{eid}'")


def _check_rest(k: Knowledge) -> None:
    for ci in k.contraindications.values():
        _check_sources(k, "contraindications.yaml", ci.id, "sources", ci.sources)
    for se in k.side_effects.values():
        _check_sources(k, "side_effects.yaml", se.id, "sources", se.sources)
        for i, rate in enumerate(se.rates):
            _check_sources(k, "side_effects.yaml", se.id, f"rates[{i}].source", [rate.source])
    for ev in k.evidence.values():
        _check_sources(k, "evidence.yaml", ev.id, "sources", ev.sources)
        for cid in ev.conditions:
            if cid not in k.conditions:
                raise _fail("evidence.yaml", ev.id, "conditions", f"unknown condition id '{cid}'")
    for rule in k.screening_rules:
        _check_sources(k, "screening_rules.yaml", rule.id, "sources", rule.sources)
        if rule.contraindication and rule.contraindication not in k.contraindications:
            raise _fail(
                "screening_rules.yaml",
                rule.id,
                "contraindication",
                f"unknown contraindication id '{rule.contraindication}'",
            )
    for g in k.guardrails.values():
        _check_sources(k, "guardrails.yaml", g.id, "sources", g.sources)
        spec = GUARDRAIL_KINDS[g.kind]
        for name in g.params:
            if name not in spec:
                raise _fail("guardrails.yaml", g.id, f"params.{name}", f"not a parameter of kind {g.kind}")
        for name, typ in spec.items():
            value = g.params.get(name)
            if typ == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise _fail("guardrails.yaml", g.id, f"params.{name}", "expected a number")
            if typ == "muscles":
                if not isinstance(value, tuple) or not value:
                    raise _fail("guardrails.yaml", g.id, f"params.{name}", "expected a list of muscle ids")
                for mid in value:
                    if mid not in k.muscles:
                        raise _fail("guardrails.yaml", g.id, f"params.{name}", f"unknown muscle id '{mid}'")


def check_integrity(k: Knowledge, chart: Chart, origin: Mapping[str, str]) -> None:
    _check_sources(k, "bodychart.yaml", "-", "sources", chart.sources)
    _check_muscles(k, chart, origin)
    _check_conditions(k)
    _check_rest(k)
