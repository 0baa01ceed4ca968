"""Checks that need the session's context: electrical dry needling, consent items, the screening."""

from __future__ import annotations

from ..education import CONSENT_VERSION, consent_items
from ..knowledge import GuardrailRule
from ..sites import site_label
from ._case import Case, Hit, limb_hit, sides_of, spans_both_sides
from ._sites import point_in_site, points_of

PACEMAKER = "pacemaker_or_stimulator"


def _electrical(c: Case) -> bool:
    return c.planned.technique == "electrical"


def electrical_unrecorded(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if _electrical(c) and c.planned.electrical is None else None


def electrical_implant(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if _electrical(c) and PACEMAKER in c.context.implants else None


def electrical_thorax_pair(g: GuardrailRule, c: Case) -> Hit | None:
    other = c.partner() if _electrical(c) else None
    if other is None:
        return None
    a, b = c.muscle, c.muscle_of(other)
    if not ((a.thorax or a.lung_risk) and (b.thorax or b.lung_risk)):
        return None
    across = spans_both_sides(sides_of(c.planned, a), sides_of(other, b))
    front_to_back = {a.thorax, b.thorax} == {"anterior", "posterior"}
    return {"other": f"{b.name} ({other.side})"} if across or front_to_back else None


def electrical_pregnancy_site(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if _electrical(c) and c.context.pregnant_trimester and c.muscle.id in g.params["muscles"] else None


def electrical_pregnancy(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if _electrical(c) and c.context.pregnant_trimester else None


def electrical_limb(g: GuardrailRule, c: Case) -> Hit | None:
    if not _electrical(c):
        return None
    limbs = (*c.context.lymphoedema_limbs, *c.context.at_risk_limbs)
    limb = limb_hit(c, c.muscle.limb, limbs) or limb_hit(c, c.muscle.girdle, limbs)
    return {"limb": limb} if limb else None


def electrical_epilepsy(g: GuardrailRule, c: Case) -> Hit | None:
    return {} if _electrical(c) and c.context.epilepsy else None


# -- consent ---------------------------------------------------------------------------------------
def consent_missing(g: GuardrailRule, c: Case) -> Hit | None:
    consent = c.context.consent
    return {} if consent is not None and consent.version is None else None


def consent_outdated(g: GuardrailRule, c: Case) -> Hit | None:
    consent = c.context.consent
    if consent is None or consent.version is None or consent.version == CONSENT_VERSION:
        return None
    return {"version": consent.version, "current": CONSENT_VERSION}


def consent_incomplete(g: GuardrailRule, c: Case) -> Hit | None:
    consent = c.context.consent
    if consent is None or consent.version != CONSENT_VERSION:
        return None
    missing = [i.id for i in consent_items() if i.required and i.id not in consent.items]
    return {"items": ", ".join(m.replace("_", " ") for m in missing)} if missing else None


def consent_declined(g: GuardrailRule, c: Case) -> list[Hit] | None:
    consent = c.context.consent
    if consent is None or consent.version != CONSENT_VERSION:
        return None
    hits = [
        {"item": item.label, "technique": c.planned.technique}
        for item in consent_items()
        if not item.required
        and item.id not in consent.items
        and item.covers is not None
        and item.covers.applies(c.muscle, c.planned.technique)
    ]
    return hits or None


# -- screening -------------------------------------------------------------------------------------
def _reason_hit(reason_rule: str, text: str, sources: tuple[str, ...], evidence: str, **values: str) -> Hit:
    return {"_rule_id": reason_rule, "_sources": ",".join(sources), "_evidence": evidence, "reason": text, **values}


def screening_not_now(g: GuardrailRule, c: Case) -> list[Hit] | None:
    hits = [_reason_hit(r.rule_id, r.text, r.sources, r.evidence) for r in c.context.screening if r.effect == "not_now"]
    return hits or None


def _site_hits(c: Case, effect: str) -> list[Hit] | None:
    points = points_of(c)
    hits = []
    for r in c.context.screening:
        if r.effect != effect:
            continue
        inside = [s for s in r.sites if any(point_in_site(s, *p) for p in points)]
        if inside:
            label = ", ".join(site_label(s) for s in inside)
            hits.append(_reason_hit(r.rule_id, r.text, r.sources, r.evidence, site=label))
    return hits or None


def screening_site_block(g: GuardrailRule, c: Case) -> list[Hit] | None:
    return _site_hits(c, "site_block")


def screening_site_caution(g: GuardrailRule, c: Case) -> list[Hit] | None:
    return _site_hits(c, "caution")
