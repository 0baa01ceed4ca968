"""Turn validated YAML entries into the typed objects of :mod:`dryneedling.clinical.model`."""

from __future__ import annotations

from types import MappingProxyType

from ._reader import Entry
from .model import (
    CONTRAINDICATION_KINDS,
    SEVERITIES,
    STANDING_LABELS,
    THORAX_SIDES,
    VIEWS,
    Condition,
    Contraindication,
    EvidenceFigure,
    EvidenceStatement,
    GuardrailRule,
    IcdCode,
    Muscle,
    NeedleSpec,
    Rate,
    SideEffect,
    Source,
    TriggerPoint,
    TypicalCourse,
)

BODY_REGIONS: tuple[str, ...] = ("head_neck", "shoulder_upper_limb", "trunk_lumbopelvic", "lower_limb")
HANDLING: tuple[str, ...] = ("pincer", "flat_palpation", "bracketing")
FREQUENCIES: tuple[str, ...] = ("aggregate", "common", "uncommon", "rare", "not_quantified")
GUARDRAIL_LEVELS: tuple[str, ...] = ("block", "warn")


def build_source(e: Entry) -> Source:
    item = Source(
        id=e.text("id"),
        citation=e.text("citation"),
        url=e.opt_text("url"),
        note=e.opt_text("note"),
        evidence=e.evidence(),
        standing=e.opt_choice("standing", tuple(STANDING_LABELS)),
    )
    e.finish()
    return item


def _needle(e: Entry) -> NeedleSpec:
    item = NeedleSpec(
        diameter_mm=e.number_range("diameter_mm", required=False),
        length_mm=e.number_range("length_mm", required=False),
        technique=e.text("technique"),
        sources=e.sources(),
        evidence=e.evidence(),
    )
    e.finish()
    return item


def _trigger_point(e: Entry) -> TriggerPoint:
    item = TriggerPoint(
        view=e.choice("view", VIEWS),
        x=float(e.number("x") or 0.0),
        y=float(e.number("y") or 0.0),
        description=e.text("description"),
    )
    e.finish()
    return item


def build_muscle(e: Entry) -> Muscle:
    lung_risk = e.flag("lung_risk")
    safe_handling = e.texts("safe_handling", required=False)
    for handling in safe_handling:
        if handling not in HANDLING:
            raise e.error("safe_handling", f"'{handling}' is not one of {', '.join(HANDLING)}")
    if lung_risk and not safe_handling:
        raise e.error("safe_handling", "a lung-risk muscle must list its safe handling")
    item = Muscle(
        id=e.text("id"),
        name=e.text("name"),
        body_region=e.choice("body_region", BODY_REGIONS),
        trigger_points=tuple(_trigger_point(s) for s in e.subs("trigger_points")),
        referral_primary=e.texts("referral_primary"),
        referral_spillover=e.texts("referral_spillover", required=False),
        referral_text=e.text("referral_text"),
        referral_evidence=e.evidence("referral_evidence"),
        needle=_needle(e.sub("needle")),
        hazards=e.texts("hazards"),
        lung_risk=lung_risk,
        kidney_risk=e.flag("kidney_risk"),
        safe_depth_mm=e.number("safe_depth_mm", required=False),
        safe_handling=safe_handling,
        limb=e.opt_choice("limb", ("arm", "leg")),
        girdle=e.opt_choice("girdle", ("arm", "leg")),
        notes=e.opt_text("notes"),
        sources=e.sources(),
        evidence=e.evidence(),
        midline=e.flag("midline"),
        thorax=e.opt_choice("thorax", THORAX_SIDES),
        non_compressible=e.flag("non_compressible"),
    )
    e.finish()
    return item


def _course(e: Entry) -> TypicalCourse:
    item = TypicalCourse(
        sessions_min=e.integer("sessions_min", required=False),
        sessions_max=e.integer("sessions_max", required=False),
        per_week=e.number("per_week", required=False),
        text=e.text("text"),
        sources=e.sources(),
        evidence=e.evidence(),
    )
    e.finish()
    if item.sessions_min and item.sessions_max and item.sessions_min > item.sessions_max:
        raise e.error("sessions_min", "greater than sessions_max")
    return item


def _icd(e: Entry) -> tuple[IcdCode, bool]:
    code = IcdCode(code=e.text("code"), text=e.text("text"))
    tag = e.evidence()
    e.finish()
    return code, tag != "V"


def build_condition(e: Entry) -> Condition:
    icd = [_icd(s) for s in e.subs("icd10")]
    item = Condition(
        id=e.text("id"),
        name=e.text("name"),
        icd10=tuple(code for code, _ in icd),
        icd10_provisional=tuple(code.code for code, provisional in icd if provisional),
        muscles=e.texts("muscles", allow_empty=True),
        muscles_evidence=e.evidence("muscles_evidence"),
        outcome_measures=e.texts("outcome_measures"),
        typical_course=_course(e.sub("typical_course")),
        evidence_summary=e.text("evidence_summary"),
        evidence_ids=e.texts("evidence_ids", required=False),
        notes=e.opt_text("notes"),
        sources=e.sources(),
        evidence=e.evidence(),
    )
    e.finish()
    return item


def build_contraindication(e: Entry) -> Contraindication:
    item = Contraindication(
        id=e.text("id"),
        name=e.text("name"),
        kind=e.choice("kind", CONTRAINDICATION_KINDS),
        description=e.text("description"),
        sites=e.texts("sites", required=False),
        sources=e.sources(),
        evidence=e.evidence(),
    )
    e.finish()
    return item


def _rate(e: Entry) -> Rate:
    item = Rate(
        value=e.number("value", required=False), unit=e.text("unit"), text=e.text("text"), source=e.text("source")
    )
    e.finish()
    return item


def build_side_effect(e: Entry) -> SideEffect:
    severity = e.choice("severity", SEVERITIES)
    allowed = e.texts("allowed_severities", required=False) or SEVERITIES[SEVERITIES.index(severity) :]
    for level in allowed:
        if level not in SEVERITIES:
            raise e.error("allowed_severities", f"unknown severity '{level}'")
    if severity not in allowed:
        raise e.error("allowed_severities", f"must include the entry's own severity '{severity}'")
    item = SideEffect(
        id=e.text("id"),
        name=e.text("name"),
        severity=severity,
        frequency=e.choice("frequency", FREQUENCIES),
        rates=tuple(_rate(s) for s in e.subs("rates", required=False)),
        allowed_severities=tuple(allowed),
        management=e.text("management"),
        sources=e.sources(),
        evidence=e.evidence(),
    )
    e.finish()
    return item


def _figure(e: Entry) -> EvidenceFigure:
    item = EvidenceFigure(label=e.text("label"), value=e.text("value"), ci=e.opt_text("ci"))
    e.finish()
    return item


def build_evidence(e: Entry) -> EvidenceStatement:
    item = EvidenceStatement(
        id=e.text("id"),
        topic=e.text("topic"),
        conditions=e.texts("conditions", required=False),
        window=e.opt_text("window"),
        statement=e.text("statement"),
        figures=tuple(_figure(s) for s in e.subs("figures", required=False)),
        sources=e.sources(),
        evidence=e.evidence(),
    )
    e.finish()
    return item


def build_guardrail(e: Entry, kinds: tuple[str, ...]) -> GuardrailRule:
    params = e.raw_value("params", required=False) or {}
    if not isinstance(params, dict):
        raise e.error("params", "expected a mapping")
    item = GuardrailRule(
        id=e.text("id"),
        kind=e.choice("kind", kinds),
        level=e.choice("level", GUARDRAIL_LEVELS),
        message=e.text("message"),
        params=MappingProxyType({k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}),
        sources=e.sources(),
        evidence=e.evidence(),
    )
    e.finish()
    return item
