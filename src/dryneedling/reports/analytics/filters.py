"""The dashboard's filters (condition, muscle region, clinician, period) as SQL conditions.

Every filter becomes a semi-join (`pk IN (subquery)`, built once by the database) or a plain column
condition, never a join that could count a session twice (two coded diagnoses, ten insertions).
Dates are the clinic's local days: `from` is the start of that day, `to` the end of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q

from dryneedling.accounts import zones
from dryneedling.accounts.models import Clinic
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.patients.models import EpisodeCondition
from dryneedling.treatment.models import Insertion, Session


@dataclass(frozen=True)
class Filters:
    """What the figures are restricted to. Empty means "everything of the clinic"."""

    clinic: Clinic
    condition: str = ""  # a knowledge-base condition id
    icd10: str = ""  # an ICD-10-CM code or prefix ("M79.1", "M54")
    region: str = ""  # a knowledge-base body_region of the needled muscles
    clinician_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def whole_record(self) -> bool:
        """No condition, region or period filter: each clinician's CUSUM runs over all their sessions."""
        return not (self.condition or self.icd10 or self.region or self.date_from or self.date_to)

    def as_detail(self) -> dict[str, str]:
        """The filters for the audit trail: ids and codes, no patient data."""
        found = {
            "condition": self.condition,
            "icd10": self.icd10,
            "region": self.region,
            "clinician_id": str(self.clinician_id or ""),
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in found.items() if value}


def regions() -> list[str]:
    """The body regions of the knowledge base's muscles, sorted."""
    return sorted({muscle.body_region for muscle in get_knowledge().muscles.values()})


def region_muscles(region: str) -> list[str]:
    return sorted(m.id for m in get_knowledge().muscles.values() if m.body_region == region)


def condition_codes(condition: str) -> list[str]:
    """The ICD-10-CM codes the knowledge base lists for a condition."""
    found = get_knowledge().conditions.get(condition)
    return [icd.code for icd in found.icd10] if found else []


def _bounds(filters: Filters) -> tuple[datetime | None, datetime | None]:
    zone = zones.zone_of(filters.clinic)
    start = datetime.combine(filters.date_from, time.min, zone) if filters.date_from else None
    end = datetime.combine(filters.date_to + timedelta(days=1), time.min, zone) if filters.date_to else None
    return start, end


def _code_q(codes: list[str]) -> Q:
    """Codes as stored ("M79.1") or without the dot; an ICD-10 code matches its subcodes."""
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(code__istartswith=code) | Q(code__istartswith=code.replace(".", ""))
    return q


def episode_q(filters: Filters, episode: str = "episode") -> Q:
    """Conditions on a row's episode (the lookup path `episode`): a coded diagnosis of the
    knowledge-base condition, and one under the ICD-10 code. A condition without codes matches nothing."""
    q = Q()
    wanted = []
    if filters.condition:
        wanted.append(condition_codes(filters.condition))
    if filters.icd10:
        wanted.append([filters.icd10])
    for codes in wanted:
        coded = EpisodeCondition.objects.for_clinic(filters.clinic).filter(_code_q(codes))
        q &= Q(**{f"{episode}__in": coded.values("episode_id")})
    return q


def session_q(filters: Filters, prefix: str = "") -> Q:
    """Sessions (reached through `prefix`, e.g. "session__") that match every filter; the period
    is the session's start."""
    q = episode_q(filters, f"{prefix}episode")
    if filters.clinician_id:
        q &= Q(**{f"{prefix}clinician_id": filters.clinician_id})
    if filters.region:  # a semi-join (IN), built once, rather than a lookup per session
        inserted = Insertion.objects.for_clinic(filters.clinic).filter(muscle_id__in=region_muscles(filters.region))
        q &= Q(**{f"{prefix}pk__in": inserted.values("session_id")})
    start, end = _bounds(filters)
    if start:
        q &= Q(**{f"{prefix}started_at__gte": start})
    if end:
        q &= Q(**{f"{prefix}started_at__lt": end})
    return q


def episode_treated_q(filters: Filters, episode: str = "episode") -> Q:
    """Episodes (the lookup path `episode`) with at least one session by the clinician / in the region."""
    q = episode_q(filters, episode)
    if filters.clinician_id or filters.region:
        sessions = Session.objects.for_clinic(filters.clinic)
        if filters.clinician_id:
            sessions = sessions.filter(clinician_id=filters.clinician_id)
        if filters.region:
            inserted = Insertion.objects.for_clinic(filters.clinic).filter(muscle_id__in=region_muscles(filters.region))
            sessions = sessions.filter(pk__in=inserted.values("session_id"))
        q &= Q(**{f"{episode}__in": sessions.values("episode_id")})
    return q


def period_q(filters: Filters, column: str) -> Q:
    """`column` (a datetime) inside the period."""
    start, end = _bounds(filters)
    q = Q()
    if start:
        q &= Q(**{f"{column}__gte": start})
    if end:
        q &= Q(**{f"{column}__lt": end})
    return q
