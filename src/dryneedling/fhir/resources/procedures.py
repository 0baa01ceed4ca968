"""Procedure: one per insertion (the needled point), the bulk of an export.

One resource per insertion, not per session: each needled point has its own body site with
laterality, performer, time, technique and needle, which a per-session Procedure could only list
without saying which needle went where. The session is the Encounter every Procedure names.
The code is the session's CPT (20560 for 1-2 muscles, 20561 for 3 or more: `clinical.billing.
derive_cpt`, counted over all of the session's insertions), so the sessions are read in batches
and each batch's insertions together. No SNOMED CT code: the dossier found no dry-needling
concept (clinical-dossier.md 8b, [NF]); the procedure is named in text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Q

from dryneedling.clinical.billing import anatomical_name, derive_cpt, get_billing
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.interop.identifiers import BASE
from dryneedling.treatment.models import Insertion, Session

from .base import BATCH, ChildSpec, Ctx, Resource, Row, raw, utc_text

CPT = "http://www.ama-assn.org/go/cpt"
MUSCLE_SYSTEM = f"{BASE}/CodeSystem/muscle"
LATERALITY_EXTENSION = f"{BASE}/StructureDefinition/laterality"
TECHNIQUE_EXTENSION = f"{BASE}/StructureDefinition/needling-technique"
SECONDS_EXTENSION = f"{BASE}/StructureDefinition/needling-seconds"
TWITCH_EXTENSION = f"{BASE}/StructureDefinition/local-twitch-responses"
TECHNIQUES = {"pistoning": "pistoning", "static": "static retention", "electrical": "electrical"}

INSERTION_COLUMNS = (
    "session_id",
    "muscle_id",
    "side",
    "anatomical_muscle",
    "technique",
    "needle_diameter_mm",
    "needle_length_mm",
    "actual_seconds",
    "twitch_count",
    "performed_by_id",
    "performed_at",
)
SESSION_BATCH = BATCH // 4
"""Sessions per batch (a session has a few insertions: about BATCH insertion rows a batch)."""


@lru_cache(maxsize=16384)
def _cpt(needled: tuple[tuple[str, str, str], ...]) -> str | None:
    try:
        return derive_cpt(needled=[(m, s, n or None) for m, s, n in needled]).code
    except ValueError:  # a muscle the knowledge base no longer has: no code rather than no export
        return None


def session_cpt(needled: Iterable[tuple[str, str, str]]) -> str | None:
    """The session's CPT code from its (muscle, side, member or "") records; None when none counts.
    The count is of distinct records, so the distinct ones are the cache key."""
    return _cpt(tuple(sorted(set(needled))))


@lru_cache(maxsize=64)
def _code(cpt: str | None, technique: str) -> Resource:
    text = f"Trigger-point dry needling (needle insertion without injection), {TECHNIQUES.get(technique, technique)}"
    if cpt is None:
        return {"text": text}
    descriptor = next((c.descriptor for c in get_billing().codes if c.code == cpt), None)
    coding = {"system": CPT, "code": cpt}
    if descriptor:
        coding["display"] = descriptor
    return {"coding": [coding], "text": text}


@lru_cache(maxsize=4096)
def _body_site(muscle_id: str, side: str, member: str) -> Resource:
    muscle = get_knowledge().muscles.get(muscle_id)
    name = muscle.name if muscle is not None else muscle_id.replace("_", " ")
    coding = [{"system": MUSCLE_SYSTEM, "code": muscle_id, "display": name}]
    text = f"{name}, {side}"
    if member:
        text = f"{anatomical_name(member)} ({name}), {side}"
    return {"extension": [{"url": LATERALITY_EXTENSION, "valueCode": side}], "coding": coding, "text": text}


def procedures(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    """Rows are insertion rows (pk, *INSERTION_COLUMNS, the session's patient), all of a session's insertions together
    (see `ProcedureSpec.batches`). The hot path of an export: the parts that repeat (codes, body
    sites, performers, needles) are built once per batch and shared."""
    system = ctx.system("insertion")
    since = utc_text(ctx.since) if ctx.since is not None else None
    techniques: dict[str, Resource] = {}
    performers: dict[int, list[Resource]] = {}
    needles: dict[tuple[Any, Any], list[Resource]] = {}
    i, n = 0, len(rows)
    while i < n:
        session_id = rows[i][1]
        j = i + 1
        while j < n and rows[j][1] == session_id:
            j += 1
        group = rows[i:j]
        i = j
        cpt = session_cpt((r[2], r[3], r[4]) for r in group)
        encounter = {"reference": f"Encounter/{session_id}"}
        subject = {"reference": f"Patient/{group[0][12]}"}
        for pk, _, muscle, side, member, technique, diameter, length, seconds, twitches, by, at, _ in group:
            performed = f"{at[:10]}T{at[11:]}+00:00" if at.__class__ is str else at.isoformat()
            if since is not None and performed <= since:
                continue
            technique_ext = techniques.get(technique)
            if technique_ext is None:
                technique_ext = techniques[technique] = {"url": TECHNIQUE_EXTENSION, "valueCode": technique}
            performer = performers.get(by)
            if performer is None:
                performer = performers[by] = [{"actor": {"reference": f"Practitioner/{by}"}}]
                ctx.actors.add(by)
            needle = needles.get((diameter, length))
            if needle is None:
                needle = needles[diameter, length] = [
                    {"text": f"Filiform needle {float(diameter):.2f} mm x {length} mm"}
                ]
            key = str(pk)
            yield {
                "resourceType": "Procedure",
                "id": key,
                "extension": [
                    technique_ext,
                    {"url": SECONDS_EXTENSION, "valueInteger": seconds},
                    {"url": TWITCH_EXTENSION, "valueInteger": twitches},
                ],
                "identifier": [{"system": system, "value": key}],
                "status": "completed",
                "code": _code(cpt, technique),
                "subject": subject,
                "encounter": encounter,
                "performedDateTime": performed,
                "performer": performer,
                "bodySite": [_body_site(muscle, side, member)],
                "usedCode": needle,
            }


@dataclass(frozen=True)
class ProcedureSpec(ChildSpec):
    """Insertions by ranges of sessions (`ChildSpec`), with the session's patient. `since` picks
    the sessions that may hold a newer insertion; the insertions at or before it are left out by
    `procedures`, after the session's CPT is counted over all of them."""

    def _filtered(self, ctx: Ctx, qs: Any, path: str = "") -> Any:
        if ctx.patient_ids is not None:
            qs = qs.filter(**{f"{path}patient_id__in": sorted(ctx.patient_ids)})
        if ctx.since is not None:  # insertions are made before the session ends
            qs = qs.filter(Q(**{f"{path}ended_at__isnull": True}) | Q(**{f"{path}ended_at__gt": ctx.since}))
        return qs

    def parents(self, ctx: Ctx) -> Any:
        return self._filtered(ctx, Session.objects.for_clinic(ctx.clinic))

    def children(self, ctx: Ctx, first: int, last: int) -> list[Row]:
        qs = self._filtered(ctx, Insertion.objects.for_clinic(ctx.clinic), "session__")
        query = (
            qs.filter(session_id__gte=first, session_id__lte=last)
            .order_by("session_id", "pk")
            .values_list("pk", *self.selected, "session__patient_id")
        )
        return raw(query)

    def one(self, ctx: Ctx, pk: int) -> Resource | None:
        session = Insertion.objects.for_clinic(ctx.clinic).filter(pk=pk).values_list("session_id", flat=True).first()
        if session is None:
            return None
        rows = self.children(ctx, session, session)
        return next((r for r in procedures(ctx, rows) if r["id"] == str(pk)), None)


SPECS = (
    ProcedureSpec(
        "Procedure",
        Insertion,
        INSERTION_COLUMNS,
        procedures,
        stamp="performed_at",
        patient=None,
        parent=Session,
        via="session",
        parent_batch=SESSION_BATCH,
        names_actors=True,
    ),
)
