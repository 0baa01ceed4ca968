"""Checks that follow from the muscle, the needle and the patient's body (no consent, no screening)."""

from __future__ import annotations

from ..knowledge import GuardrailRule
from ._case import Case, Hit, limb_hit, sides_of, spans_both_sides


def _allowed(c: Case) -> str:
    return " or ".join(h.replace("_", " ") for h in c.muscle.safe_handling)


def handling_unsafe(g: GuardrailRule, c: Case) -> Hit | None:
    h = c.planned.handling
    unsafe = c.muscle.lung_risk and h is not None and h not in c.muscle.safe_handling
    return {"allowed": _allowed(c)} if unsafe else None


def handling_missing(g: GuardrailRule, c: Case) -> Hit | None:
    return {"allowed": _allowed(c)} if c.muscle.lung_risk and c.planned.handling is None else None


def depth_muscle(g: GuardrailRule, c: Case) -> Hit | None:
    limit = c.muscle.safe_depth_mm
    return {"limit": f"{limit:g}"} if limit is not None and c.planned.needle_length_mm > limit else None


def depth_general(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if c.muscle.lung_risk and c.planned.needle_length_mm >= float(g.params["lung_reach_mm"]) else None


def target_depth(g: GuardrailRule, c: Case) -> Hit | None:
    """The depth aimed at, not only the needle's length: a short needle pushed to its hub can still
    pass the muscle's documented deep limit."""
    depth = c.planned.target_depth_mm
    if not c.muscle.lung_risk or depth is None:
        return None
    if c.muscle.safe_depth_mm is not None:
        limit, why = c.muscle.safe_depth_mm, f"the documented deep limit of {c.muscle.name}"
    else:
        limit, why = float(g.params["lung_reach_mm"]), "a 3.1 cm needle has been documented to reach the lung"
    return {"depth": f"{depth:g}", "limit": f"{limit:g}", "why": why} if depth > limit else None


def low_bmi(g: GuardrailRule, c: Case) -> Hit | None:
    bmi = c.context.bmi
    low = c.muscle.lung_risk and bmi is not None and bmi < float(g.params["bmi_below"])
    return {"bmi": f"{bmi:.1f}"} if low and bmi is not None else None


def male(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if c.muscle.lung_risk and c.context.sex == "male" else None


def bilateral(g: GuardrailRule, c: Case) -> Hit | None:
    if not c.muscle.lung_risk:
        return None
    mine = sides_of(c.planned, c.muscle)
    for other in c.context.other_insertions:
        om = c.muscle_of(other)
        if om.lung_risk and spans_both_sides(mine, sides_of(other, om)):
            return {"other": f"{om.name} ({other.side})"}
    return None


def paired_midline(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if c.planned.side == "midline" and not c.muscle.midline else None


def kidney_zone(g: GuardrailRule, c: Case) -> Hit | None:
    d = c.planned.distance_from_midline_cm
    lateral = c.muscle.kidney_risk and d is not None and d > float(g.params["lateral_cm"])
    return {"distance": f"{d:g}"} if lateral and d is not None else None


def kidney_unknown(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if c.muscle.kidney_risk and c.planned.distance_from_midline_cm is None else None


def preg_t1(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if c.context.pregnant_trimester == 1 else None


def preg_muscles(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if c.context.pregnant_trimester and c.muscle.id in g.params["muscles"] else None


def lymph_limb(g: GuardrailRule, c: Case) -> Hit | None:
    limb = limb_hit(c, c.muscle.limb, c.context.lymphoedema_limbs)
    return {"limb": limb} if limb else None


def lymph_girdle(g: GuardrailRule, c: Case) -> Hit | None:
    limb = limb_hit(c, c.muscle.girdle, c.context.lymphoedema_limbs)
    return {"limb": limb} if limb else None


def needle_length(g: GuardrailRule, c: Case) -> Hit | None:
    typical = c.muscle.needle.length_mm
    return {"limit": f"{typical[1]:g}"} if typical and c.planned.needle_length_mm > typical[1] else None


def muscle_note(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if c.muscle.id in g.params["muscles"] else None


def antithrombotic_deep(g: GuardrailRule, c: Case) -> Hit | None:
    ctx = c.context
    if not c.muscle.non_compressible or not (ctx.anticoagulants or ctx.bleeding_disorder):
        return None
    what = []
    if ctx.anticoagulants:
        details = [d for d in (ctx.anticoagulant_drug, f"INR {ctx.inr:g}" if ctx.inr is not None else None) if d]
        what.append("anticoagulant or antiplatelet medication" + (f" ({', '.join(details)})" if details else ""))
    if ctx.bleeding_disorder:
        what.append("a bleeding disorder")
    if ctx.platelet_count is not None:
        what.append(f"platelets {ctx.platelet_count:g}")
    return {"bleeding": "; ".join(what)}
