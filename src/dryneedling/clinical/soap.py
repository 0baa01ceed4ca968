"""SOAP note for one dry-needling session, generated deterministically from a structured record.

Muscles are given by knowledge-base id and written with their knowledge-base names. The
Procedure part of the Objective section lists every insertion (muscle, side, needle, technique,
time, local twitch responses) and states that the needling was without injection.
"""

from __future__ import annotations

from dataclasses import dataclass

from .billing import anatomical_name, derive_cpt
from .bodychart import get_chart
from .knowledge import Knowledge, get_knowledge
from .model import SEVERITIES
from .safety import SIDES, TECHNIQUES

STATUSES: tuple[str, ...] = ("active", "latent")
# Post-needling soreness mostly resolves within 24-48 h (Navarro-Santana 2020, Table 5) [V].
SORENESS_ADVICE = (
    "Advised that post-needling soreness is common and usually settles within 24-48 hours; heat or ice as needed."
)


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _whole(value: object, low: int, high: int | None = None) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value and (high is None or value <= high)


@dataclass(frozen=True)
class Finding:
    """Palpation finding for one muscle on one side."""

    muscle_id: str
    side: str
    status: str
    tender: bool = True
    taut_band: bool = False
    familiar_pain: bool = False
    referral_reproduced: bool = False

    def __post_init__(self) -> None:
        _check(self.side in SIDES, f"finding side must be one of {', '.join(SIDES)}")
        _check(self.status in STATUSES, "finding status must be 'active' or 'latent'")


@dataclass(frozen=True)
class Insertion:
    """One needled muscle: needle diameter x length (mm), time in the muscle (s), local twitch responses."""

    muscle_id: str
    side: str
    technique: str
    needle_diameter_mm: float
    needle_length_mm: float
    duration_s: int
    twitch_count: int
    response: str = ""
    electrical: str = ""
    """Electrical parameters in words (device, Hz, µs, mA, minutes, lead pair); empty if not electrical."""
    override: str = ""
    """Guardrail warnings gone ahead with, and the clinician's reason."""
    depth_mm: int | None = None
    """The target depth the clinician recorded; None = not recorded (the note says so)."""
    handling: str = ""
    """How the tissue was held (e.g. "pincer grasp", "bracketing over a rib"); empty = none recorded."""
    anatomical_muscle: str = ""
    """The member needled in a grouped entry (billing counts it apart); empty if not named."""

    def __post_init__(self) -> None:
        _check(self.side in SIDES, f"insertion side must be one of {', '.join(SIDES)}")
        _check(self.technique in TECHNIQUES, f"technique must be one of {', '.join(TECHNIQUES)}")
        _check(0 < self.needle_diameter_mm <= 1, "needle_diameter_mm must be above 0 and at most 1")
        _check(0 < self.needle_length_mm <= 150, "needle_length_mm must be above 0 and at most 150")
        _check(_whole(self.duration_s, 1), "duration_s must be a positive whole number of seconds")
        _check(_whole(self.twitch_count, 0), "twitch_count must be a whole number, 0 or more")
        _check(self.depth_mm is None or _whole(self.depth_mm, 1, 150), "depth_mm must be 1 to 150 or None")


@dataclass(frozen=True)
class AdverseEvent:
    """``name``: a knowledge-base side-effect id (e.g. ``bruising``) or free text."""

    name: str
    severity: str
    management: str = ""

    def __post_init__(self) -> None:
        _check(bool(self.name.strip()), "adverse event name must not be empty")
        _check(self.severity in SEVERITIES, f"severity must be one of {', '.join(SEVERITIES)}")


@dataclass(frozen=True)
class SessionRecord:
    """Everything the note is written from. ``cpt_code`` None = derive it from the insertions."""

    nprs: int | None
    """Pain now, 0-10; None = not recorded."""
    pain_regions: tuple[str, ...] = ()
    """Body-chart region ids (written as their labels) or free-text labels."""
    findings: tuple[Finding, ...] = ()
    insertions: tuple[Insertion, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    screening_decision: str = ""
    total_needling_seconds: int = 0
    cpt_code: str | None = None
    home_care: str = ""
    complaint: str = ""
    nprs_after: int | None = None
    follow_up: str = ""
    consent: str = ""
    """Who consented, when, to which version, and what they declined."""
    precautions: tuple[tuple[str, str], ...] = ()
    """The screening's precautions acknowledged at the start: (precaution, what the clinician did)."""
    safety: tuple[str, ...] = ()
    """Other safety facts of the session: clean technique, needle count."""
    position: str = ""
    """The patient's position, in words (e.g. "Prone"); empty = not recorded."""
    overrides: tuple[tuple[str, str], ...] = ()
    """Every guardrail warning gone ahead with this session: (the warning, the clinician's reason),
    once per warning, with the reason whether it was given at that point or earlier (issue 11)."""

    def __post_init__(self) -> None:
        _check(self.nprs is None or _whole(self.nprs, 0, 10), "nprs must be a whole number from 0 to 10 or None")
        _check(self.nprs_after is None or _whole(self.nprs_after, 0, 10), "nprs_after must be 0 to 10 or None")
        _check(_whole(self.total_needling_seconds, 0), "total_needling_seconds must be a whole number, 0 or more")
        _check(
            not self.insertions or self.total_needling_seconds > 0,
            "total_needling_seconds must be above 0 when needles were inserted",
        )
        _check(bool(self.screening_decision.strip()), "screening_decision must name the screening outcome")


@dataclass(frozen=True)
class SoapNote:
    subjective: str
    objective: str
    assessment: str
    plan: str

    def text(self) -> str:
        return "\n\n".join(
            f"{h}:\n{b}"
            for h, b in (("S", self.subjective), ("O", self.objective), ("A", self.assessment), ("P", self.plan))
        )


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _twitches(n: int) -> str:
    return "no local twitch response" if n == 0 else _plural(n, "local twitch response")


def _muscle(k: Knowledge, muscle_id: str, side: str) -> str:
    _check(muscle_id in k.muscles, f"unknown muscle id {muscle_id!r}")
    return f"{k.muscles[muscle_id].name} ({side})"


def _subjective(r: SessionRecord) -> str:
    labels = get_chart().by_id
    regions = [labels[p].label if p in labels else p for p in r.pain_regions]
    where = f" in: {', '.join(regions)}." if regions else "; no pain regions drawn."
    rating = f"NPRS {r.nprs}/10" if r.nprs is not None else "(NPRS not recorded)"
    lines = [f"Reports pain {rating}{where}"]
    if r.complaint.strip():
        lines.append(r.complaint.strip())
    return "\n".join(lines)


def _finding(k: Knowledge, f: Finding) -> str:
    parts = [f"{f.status} trigger point"]
    parts += [
        text
        for flag, text in (
            (f.taut_band, "taut band palpable"),
            (f.tender, "tender"),
            (f.familiar_pain, "familiar pain reproduced"),
            (f.referral_reproduced, "referred pain reproduced"),
        )
        if flag
    ]
    return f"- {_muscle(k, f.muscle_id, f.side)}: {'; '.join(parts)}."


def _insertion(k: Knowledge, i: Insertion) -> str:
    depth = f"depth {i.depth_mm} mm" if i.depth_mm is not None else "depth not recorded"
    handling = f"{i.handling.strip()}, " if i.handling.strip() else ""
    line = (
        f"- {_muscle(k, i.muscle_id, i.side)}: {i.needle_diameter_mm:.2f} x {i.needle_length_mm:g} mm needle, "
        f"{depth}, {handling}{i.technique}, {_duration(i.duration_s)}, {_twitches(i.twitch_count)}"
    )
    line += f"; muscle needled: {anatomical_name(i.anatomical_muscle)}" if i.anatomical_muscle else ""
    line += f"; electrical: {i.electrical}" if i.electrical else ""
    line += f"; response: {i.response.strip()}" if i.response.strip() else ""
    line += f". Guardrail warnings overridden: {i.override}" if i.override else ""
    return line + "."


def _adverse(k: Knowledge, a: AdverseEvent) -> str:
    known = k.side_effects.get(a.name)
    name = known.name if known else a.name.strip()
    management = a.management.strip() or (known.management if known else "")
    return f"- {name} ({a.severity})" + (f": {management}" if management else ".")


def _objective(k: Knowledge, r: SessionRecord, code: str | None, muscles: int) -> str:
    lines = ["Palpation:"] + ([_finding(k, f) for f in r.findings] or ["- No trigger point findings recorded."])
    if r.position.strip():
        lines.append(f"Patient position: {r.position.strip()}.")
    if r.insertions:
        lines.append(
            f"Procedure: trigger point dry needling, needle insertion(s) without injection, solid filiform "
            f"needles; {_plural(muscles, 'muscle')} (CPT {code})."
        )
        lines += [_insertion(k, i) for i in r.insertions]
        lines.append(f"Total needling time: {_duration(r.total_needling_seconds)}.")
    else:
        lines.append("Procedure: no needling performed.")
    if r.adverse_events:
        lines += ["Adverse events:"] + [_adverse(k, a) for a in r.adverse_events]
    else:
        lines.append("No adverse events observed.")
    lines += list(r.safety)
    return "\n".join(lines)


def _assessment(r: SessionRecord) -> str:
    lines = [f"Screening before needling: {r.screening_decision.strip()}."]
    if r.consent.strip():
        lines.append(r.consent.strip())
    if r.precautions:
        lines.append("Precautions acknowledged before needling:")
        lines += [f"- {what} Action: {action}" for what, action in r.precautions]
    if r.overrides:
        lines.append("Guardrail warnings gone ahead with, and the clinician's reason:")
        lines += [f"- {warning} Reason: {reason}" for warning, reason in r.overrides]
    active = sum(f.status == "active" for f in r.findings)
    if r.findings:
        latent = len(r.findings) - active
        lines.append(f"Trigger points: {active} active, {latent} latent.")
    if r.insertions:
        with_ltr = sum(i.twitch_count > 0 for i in r.insertions)
        lines.append(f"Local twitch responses elicited at {with_ltr} of {_plural(len(r.insertions), 'needled site')}.")
    if r.nprs is not None and r.nprs_after is not None:
        lines.append(f"NPRS {r.nprs}/10 before, {r.nprs_after}/10 after treatment.")
    elif r.nprs_after is not None:
        lines.append(f"NPRS {r.nprs_after}/10 after treatment.")
    return "\n".join(lines)


def _plan(r: SessionRecord) -> str:
    lines = []
    if r.home_care.strip():
        lines.append(f"Home care: {r.home_care.strip()}")
    if r.insertions:
        lines.append(SORENESS_ADVICE)
    lines.append(f"Follow-up: {r.follow_up.strip()}" if r.follow_up.strip() else "Follow-up: as scheduled.")
    return "\n".join(lines)


def generate_soap(*, record: SessionRecord, knowledge: Knowledge | None = None) -> SoapNote:
    """The SOAP note for one session; ValueError if the record names an unknown muscle or a wrong CPT code."""
    k = knowledge or get_knowledge()
    needled = [(i.muscle_id, i.side, i.anatomical_muscle or None) for i in record.insertions]
    cpt = derive_cpt(needled=needled, knowledge=k)
    if record.cpt_code is not None and record.cpt_code != cpt.code:
        raise ValueError(f"cpt_code {record.cpt_code} does not match the muscles needled ({cpt.code or 'none'})")
    return SoapNote(
        subjective=_subjective(record),
        objective=_objective(k, record, cpt.code, cpt.muscle_count),
        assessment=_assessment(record),
        plan=_plan(record),
    )
