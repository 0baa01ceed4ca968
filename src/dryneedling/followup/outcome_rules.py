"""A clinic's MCID rules (issue 11) and the verdicts stored with each outcome score.

The catalogue (clinical/data/instruments.yaml) holds the defaults of common practice with their
sources: NDI 7.5 points (Young 2009), ODI 10 points or 30 % (Ostelo 2008), PSFS 2 points, NPRS 2 points
or 30 % (Farrar 2001, Childs 2005), GROC +4 (Jaeschke bands). A clinic admin may choose the NPRS rule and
replace any default; each verdict stores the rule, threshold and sources it was reached with, so a
later change of the rules does not rewrite earlier verdicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.followup.models import OutcomeRecord, OutcomeRules
from dryneedling.patients.models import Episode, EpisodeCondition

# ICD-10-CM code prefixes (dots removed) -> the body-region context of the MCIDs/MDCs in the catalogue
ICD_CONTEXTS: tuple[tuple[str, str], ...] = (
    ("M542", "neck"),
    ("M543", "low_back"),
    ("M544", "low_back"),
    ("M545", "low_back"),
    ("M771", "lateral_elbow"),
    ("M75", "shoulder"),
    ("M2551", "shoulder"),
)


@dataclass(frozen=True)
class Rules:
    nprs_rule: str = "points"
    nprs_relative_percent: float | None = None
    mcids: Mapping[str, float] = field(default_factory=dict)
    groc_threshold: int | None = None


@dataclass(frozen=True)
class McidDefault:
    """One instrument's default MCID, for the settings page."""

    instrument_id: str
    name: str
    value: float
    unit: str
    ceiling: float
    relative: float | None
    citation: str
    evidence: str


def _citation(source_ids: tuple[str, ...]) -> str:
    from dryneedling.clinical.instruments import get_instrument_data

    sources = get_instrument_data().sources
    return "; ".join(sources[s].citation.split(".")[0] for s in source_ids if s in sources)


def mcid_defaults() -> list[McidDefault]:
    """The catalogue's default MCID of every instrument that has one, with its source in words."""
    from dryneedling.clinical.instruments import get_instruments

    rows = []
    for inst in get_instruments().values():
        default = next((t for t in inst.mcids if t.default), None)
        if default is None:
            continue
        value = round(inst.in_score_units(default), 2)
        span = inst.total_range[1] - inst.total_range[0]
        rows.append(
            McidDefault(
                inst.id,
                inst.name,
                value,
                inst.unit,
                span,
                default.relative,
                _citation(default.sources),
                default.evidence,
            )
        )
    return rows


def groc_default() -> tuple[int, str, str]:
    """(threshold, citation, evidence tag) of the catalogue's GROC responder threshold."""
    from dryneedling.clinical.instruments import get_instruments

    threshold = get_instruments()["groc"].responder_threshold
    assert threshold is not None
    return threshold.value, _citation(threshold.sources), threshold.evidence


def rules_of(*, clinic_id: int) -> Rules:
    """The clinic's rules (the catalogue's defaults where it set none)."""
    row = OutcomeRules.objects.filter(clinic_id=clinic_id).first()
    if row is None:
        return Rules()
    return Rules(row.nprs_rule, row.nprs_relative_percent, dict(row.mcids), row.groc_threshold)


@transaction.atomic
def outcome_rules_set(
    *,
    actor: User,
    nprs_rule: str,
    nprs_relative_percent: float | None = None,
    mcids: Mapping[str, float | None] | None = None,
    groc_threshold: int | None = None,
) -> OutcomeRules:
    """Set the clinic's MCID rules (a clinic admin only). ``None`` keeps an instrument's default.
    Audited with the names of the changed settings."""
    from dryneedling.clinical.instruments import RULES

    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    defaults = {d.instrument_id: d for d in mcid_defaults()}
    errors: dict[str, str] = {}
    if nprs_rule not in RULES:
        errors["nprs_rule"] = "Choose 2 points or 30 % for the NPRS."
    if nprs_relative_percent is not None and not 0 < nprs_relative_percent < 100:
        errors["nprs_relative_percent"] = "A percentage of the baseline score, above 0 and below 100."
    chosen: dict[str, float] = {}
    for iid, value in (mcids or {}).items():
        if value is None:
            continue
        if iid not in defaults:
            errors[f"mcid_{iid}"] = "This instrument has no MCID to replace."
        elif not 0 < value <= defaults[iid].ceiling:
            errors[f"mcid_{iid}"] = f"Above 0 and at most {defaults[iid].ceiling:g} {defaults[iid].unit}."
        else:
            chosen[iid] = float(value)
    if groc_threshold is not None and not 1 <= groc_threshold <= 7:
        errors["groc_threshold"] = "A whole number from +1 to +7."
    if errors:
        raise ValidationError(errors)
    before = rules_of(clinic_id=membership.clinic_id)
    after = Rules(nprs_rule, nprs_relative_percent, chosen, groc_threshold)
    changed = [
        name
        for name in ("nprs_rule", "nprs_relative_percent", "groc_threshold")
        if getattr(before, name) != getattr(after, name)
    ]
    changed += sorted(f"mcid_{i}" for i in set(before.mcids) | set(chosen) if before.mcids.get(i) != chosen.get(i))
    row, _ = OutcomeRules.objects.update_or_create(
        clinic_id=membership.clinic_id,
        defaults={
            "nprs_rule": nprs_rule,
            "nprs_relative_percent": nprs_relative_percent,
            "mcids": chosen,
            "groc_threshold": groc_threshold,
            "updated_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor, action="clinic.outcome_rules.set", clinic=membership.clinic, obj=row, detail={"fields": changed}
    )
    return row


def episode_context(*, episode: Episode) -> str | None:
    """The body region of the episode's first coded diagnosis that maps to one, for region MCIDs/MDCs."""
    codes = EpisodeCondition.objects.for_record(episode).filter(episode=episode).values_list("code", flat=True)
    return context_of_codes(codes)


def context_of_codes(codes: Iterable[str]) -> str | None:
    """The body region of the first ICD-10-CM code (in order) that maps to one."""
    for code in codes:
        bare = code.replace(".", "").upper()
        found = next((context for prefix, context in ICD_CONTEXTS if bare.startswith(prefix)), None)
        if found:
            return found
    return None


def verdict_for(
    *, rules: Rules, instrument_id: str, baseline: float | None, value: float, context: str | None
) -> dict[str, Any] | None:
    """The verdict of one score with the rule applied, or ``None`` (the baseline itself, or no MCID)."""
    from dryneedling.clinical.instruments import change, get_instruments, groc_responder

    inst = get_instruments().get(instrument_id)
    if inst is None:
        return None
    if inst.kind == "change":
        default, citation, evidence = groc_default()
        threshold = rules.groc_threshold or default
        return {
            "rule": "groc_threshold",
            "threshold": threshold,
            "responder": groc_responder(value=int(value), threshold=threshold),
            "overridden": rules.groc_threshold is not None,
            "citation": citation,
            "evidence": evidence,
        }
    if baseline is None:
        return None
    is_nprs = instrument_id == "nprs"
    rule = rules.nprs_rule if is_nprs else "points"
    # NPRS "relative": the clinic's percentage (or the catalogue's 30 %); otherwise the clinic's points MCID
    override = rules.nprs_relative_percent if rule == "relative" else rules.mcids.get(instrument_id)
    # The MCID is the clinic's (the default shown on its settings page); the body region picks the MDC only.
    result = change(
        instrument_id=instrument_id,
        baseline=baseline,
        follow_up=value,
        rule=rule,
        override=override,
        mdc_context=context,
    )
    if result.mcid is None:
        return None
    return {
        "rule": result.rule,
        "baseline": baseline,
        "improvement": result.improvement,
        "mcid": result.mcid,
        "relative_percent": result.relative_percent,
        "responder": result.responder,
        "overridden": result.overridden,
        "context": result.context,
        "region": context,
        "mcid_id": result.mcid_id,
        "citation": _citation(result.mcid_sources),
        "evidence": result.evidence,
        "mdc": result.mdc,
        "beyond_mdc": result.beyond_mdc,
        "unit": result.unit,
    }


def baselines_of(*, episode: Episode) -> dict[str, float]:
    """The episode's first score of each instrument (its baseline)."""
    firsts: dict[str, float] = {}
    records = OutcomeRecord.objects.for_record(episode).filter(episode=episode).order_by("recorded_at", "id")
    for instrument_id, value in records.values_list("instrument_id", "value"):
        firsts.setdefault(instrument_id, value)
    return firsts


def verdicts_for_new(*, episode: Episode, rows: list[tuple[str, float]]) -> list[dict[str, Any] | None]:
    """Verdicts of scores about to be recorded for the episode, in the clinic's current rules."""
    rules = rules_of(clinic_id=episode.clinic_id)
    baselines = baselines_of(episode=episode)
    context = episode_context(episode=episode)
    return [
        verdict_for(rules=rules, instrument_id=iid, baseline=baselines.get(iid), value=value, context=context)
        for iid, value in rows
    ]
