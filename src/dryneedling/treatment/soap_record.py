"""Builds the clinical core's SessionRecord from the stored session, for the SOAP draft."""

from __future__ import annotations

from dryneedling.accounts import zones
from dryneedling.clinical import bodychart
from dryneedling.clinical import soap as core
from dryneedling.clinical.billing import derive_cpt
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.treatment.models import AdverseEvent, Finding, Insertion, PainDrawing, Session
from dryneedling.treatment.selectors import muscle_name, override_summary
from dryneedling.treatment.services.chart import consent_items_declined
from dryneedling.treatment.services.session import POSITIONS


def _record(session: Session) -> core.SessionRecord:
    knowledge = get_knowledge()
    insertions = list(session.insertions.select_related("paired_with"))
    drawing = (
        PainDrawing.objects.for_clinic(session.clinic_id)
        .filter(episode=session.episode_id)
        .order_by("-recorded_at", "-id")
        .first()
    )
    findings = Finding.objects.for_clinic(session.clinic_id).filter(
        episode=session.episode_id, recorded_at__lte=session.ended_at or session.started_at
    )
    events = AdverseEvent.objects.for_clinic(session.clinic_id).filter(session=session)
    regions = tuple(bodychart.region(r).label for r in (drawing.regions if drawing else {}))
    return core.SessionRecord(
        nprs=drawing.nprs if drawing is not None else None,
        pain_regions=regions,
        findings=tuple(
            core.Finding(
                muscle_id=f.muscle_id,
                side=f.side,
                status=f.status,
                tender=f.tenderness > 0,
                taut_band=f.taut_band,
                familiar_pain=f.familiar_pain,
                referral_reproduced=f.referral_reproduced,
            )
            for f in findings[:20]
        ),
        insertions=tuple(
            core.Insertion(
                muscle_id=i.muscle_id,
                side=i.side,
                technique=i.technique,
                needle_diameter_mm=float(i.needle_diameter_mm),
                needle_length_mm=float(i.needle_length_mm),
                duration_s=max(1, i.actual_seconds),
                twitch_count=i.twitch_count,
                response=i.patient_response,
                electrical=_electrical(i),
                override=_override(i),
                depth_mm=i.target_depth_mm,
                handling=HANDLING.get(i.handling, i.handling.replace("_", " ")),
                anatomical_muscle=i.anatomical_muscle,
            )
            for i in insertions
        ),
        adverse_events=tuple(
            core.AdverseEvent(
                name=knowledge.side_effects[e.kind].name if e.kind in knowledge.side_effects else e.kind,
                severity=e.severity,
                management=e.management,
            )
            for e in events
        ),
        screening_decision=session.screening.get_decision_display(),
        total_needling_seconds=sum(max(1, i.actual_seconds) for i in insertions),
        cpt_code=derive_cpt(needled=[i.needled() for i in insertions]).code,
        complaint=session.episode.reason,
        consent=_consent(session),
        precautions=tuple((a.get("reason", a["rule_id"]), a["action"]) for a in session.precaution_acks),
        safety=_safety(session),
        position=POSITIONS.get(str(session.checklist.get("position")), ""),
        overrides=_overrides(insertions),
    )


# The point form's handling choices, in the note's words.
HANDLING = {"pincer": "pincer grasp", "flat_palpation": "flat palpation", "bracketing": "bracketing over a rib"}


def _overrides(insertions: list[Insertion]) -> tuple[tuple[str, str], ...]:
    """Every guardrail warning the session went ahead with, once per rule, with its reason — the one
    given at that point or, for a later point hitting the same rule, the one given earlier."""
    by_rule: dict[str, tuple[str, str]] = {}
    for insertion in sorted(insertions, key=lambda i: (i.performed_at, i.pk)):
        for guardrail in insertion.guardrails:
            reason = guardrail.get("override_reason") or insertion.override_reason
            if guardrail.get("level") != "warn" or not reason:
                continue
            rule = str(guardrail.get("rule_id"))
            message = str(guardrail.get("message") or rule).strip()
            by_rule.setdefault(rule, (f"{message} [{rule}] (first at the {muscle_name(insertion.muscle_id)})", reason))
    return tuple(by_rule.values())


def _electrical(i: Insertion) -> str:
    if not i.electrical:
        return ""
    e = i.electrical
    pair = f", paired with the {muscle_name(i.paired_with.muscle_id)} ({i.paired_with.side})" if i.paired_with else ""
    return (
        f"{e.get('device')}, {e.get('frequency_hz')} Hz, {e.get('pulse_width_us')} µs, {e.get('intensity_ma')} mA, "
        f"{e.get('duration_min')} min{pair}"
    )


def _override(i: Insertion) -> str:
    return override_summary(i)


def _consent(session: Session) -> str:
    c = session.consent
    who = "the patient" if c.signer == "patient" else "the substitute decision-maker"
    declined = consent_items_declined(c.items)
    # stored text: the clinic's day, converted now (the note keeps it whatever the zone later)
    on = zones.local(c.recorded_at, session.clinic)
    text = f"Consent version {c.version} signed by {c.signed_name} ({who}) on {on:%Y-%m-%d}"
    return text + (f"; not agreed to: {', '.join(declined)}." if declined else "; all items agreed.")


def _safety(session: Session) -> tuple[str, ...]:
    lines = []
    if session.clean_technique:
        lines.append(
            "Clean technique checked before the first insertion (hand hygiene, gloves where required, skin, "
            "sterile single-use needles, sharps container)."
        )
    if session.needles_used is not None:
        lines.append(f"Needle count: {session.needles_used} used, {session.needles_removed} removed.")
    return tuple(lines)


def soap_for_session(session: Session) -> core.SoapNote:
    return core.generate_soap(record=_record(session))
