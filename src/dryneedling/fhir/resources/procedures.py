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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dryneedling.clinical.billing import anatomical_name, derive_cpt, get_billing
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.interop.identifiers import BASE
from dryneedling.treatment.models import Insertion, Session

from .base import BATCH, Ctx, Resource, Row, Spec

CPT = "http://www.ama-assn.org/go/cpt"
MUSCLE_SYSTEM = f"{BASE}/CodeSystem/muscle"
LATERALITY_EXTENSION = f"{BASE}/StructureDefinition/laterality"
TECHNIQUE_EXTENSION = f"{BASE}/StructureDefinition/needling-technique"
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


@lru_cache(maxsize=4096)
def session_cpt(needled: tuple[tuple[str, str, str], ...]) -> str | None:
    """The session's CPT code from its (muscle, side, member or "") records; None when none counts."""
    try:
        return derive_cpt(needled=[(m, s, n or None) for m, s, n in needled]).code
    except ValueError:  # a muscle the knowledge base no longer has: no code rather than no export
        return None


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
    """Rows are insertion rows (pk, *INSERTION_COLUMNS) with the session's patient appended, all
    of a session's insertions together (see `ProcedureSpec.batches`)."""
    system = ctx.system("insertion")
    since = ctx.since
    i, n = 0, len(rows)
    while i < n:
        session_id = rows[i][1]
        j = i
        while j < n and rows[j][1] == session_id:
            j += 1
        group = rows[i:j]
        i = j
        cpt = session_cpt(tuple(sorted((r[2], r[3], r[4]) for r in group)))
        encounter = {"reference": f"Encounter/{session_id}"}
        subject = {"reference": f"Patient/{group[0][12]}"}
        for pk, _, muscle, side, member, technique, diameter, length, seconds, twitches, by, at, _ in group:
            if since is not None and at <= since:
                continue
            yield {
                "resourceType": "Procedure",
                "id": str(pk),
                "identifier": [{"system": system, "value": str(pk)}],
                "status": "completed",
                "code": _code(cpt, technique),
                "subject": subject,
                "encounter": encounter,
                "performedDateTime": at.isoformat(),
                "performer": [{"actor": {"reference": f"Practitioner/{by}"}}],
                "bodySite": [_body_site(muscle, side, member)],
                "usedCode": [{"text": f"Filiform needle {diameter} mm x {length} mm"}],
                "extension": [
                    {"url": TECHNIQUE_EXTENSION, "valueCode": technique},
                    {"url": f"{BASE}/StructureDefinition/needling-seconds", "valueInteger": seconds},
                    {"url": f"{BASE}/StructureDefinition/local-twitch-responses", "valueInteger": twitches},
                ],
            }


@dataclass(frozen=True)
class ProcedureSpec(Spec):
    """Sessions in keyset batches, then their insertions, grouped by session."""

    def _insertions(self, ctx: Ctx, sessions: dict[int, int]) -> list[Row]:
        rows = (
            Insertion.objects.for_clinic(ctx.clinic)
            .filter(session_id__in=list(sessions))
            .order_by("session_id", "pk")
            .values_list("pk", *self.columns)
        )
        return [(*row, sessions[row[1]]) for row in rows]

    def _sessions(self, ctx: Ctx) -> Any:
        qs = Session.objects.for_clinic(ctx.clinic)
        if ctx.patient_ids is not None:
            qs = qs.filter(patient_id__in=sorted(ctx.patient_ids))
        if ctx.since is not None:  # insertions are made before the session ends
            qs = qs.filter(ended_at__isnull=True) | qs.filter(ended_at__gt=ctx.since)
        return qs

    def batches(self, ctx: Ctx, batch: int = SESSION_BATCH) -> Iterator[list[Row]]:
        qs = self._sessions(ctx)
        last = 0
        while True:
            sessions = dict(qs.filter(pk__gt=last).order_by("pk").values_list("pk", "patient_id")[:batch])
            if not sessions:
                return
            rows = self._insertions(ctx, sessions)
            if rows:
                yield rows
            last = max(sessions)
            if len(sessions) < batch:
                return

    def one(self, ctx: Ctx, pk: int) -> Resource | None:
        session = Insertion.objects.for_clinic(ctx.clinic).filter(pk=pk).values_list("session_id", flat=True).first()
        if session is None:
            return None
        sessions = dict(Session.objects.for_clinic(ctx.clinic).filter(pk=session).values_list("pk", "patient_id"))
        return next((r for r in procedures(ctx, self._insertions(ctx, sessions)) if r["id"] == str(pk)), None)


SPECS = (ProcedureSpec("Procedure", Insertion, INSERTION_COLUMNS, procedures, stamp="performed_at", patient=None),)
