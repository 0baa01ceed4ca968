"""Builds the clinical core's SessionRecord from the stored session, for the SOAP draft."""

from __future__ import annotations

from dryneedling.clinical import bodychart
from dryneedling.clinical import soap as core
from dryneedling.clinical.billing import derive_cpt
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.treatment.models import AdverseEvent, Finding, PainDrawing, Session


def _record(session: Session) -> core.SessionRecord:
    knowledge = get_knowledge()
    insertions = list(session.insertions.all())
    drawing = PainDrawing.objects.filter(episode=session.episode).order_by("-recorded_at", "-id").first()
    findings = Finding.objects.filter(episode=session.episode, recorded_at__lte=session.ended_at or session.started_at)
    events = AdverseEvent.objects.filter(session=session)
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
        cpt_code=derive_cpt(needled=[(i.muscle_id, i.side) for i in insertions]).code,
        complaint=session.episode.reason,
    )


def soap_for_session(session: Session) -> core.SoapNote:
    return core.generate_soap(record=_record(session))
