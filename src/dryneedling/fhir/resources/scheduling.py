"""Appointment (scheduling.Appointment)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dryneedling.interop.models import Kind
from dryneedling.scheduling.models import Appointment

from .base import Ctx, Resource, Row, Spec, instant, meta

APPOINTMENT_STATUS = {
    "booked": "booked",
    "arrived": "arrived",
    "in_session": "checked-in",
    "done": "fulfilled",
    "no_show": "noshow",
    "cancelled": "cancelled",
}
COLUMNS = (
    "patient_id",
    "clinician_id",
    "episode_id",
    "appointment_type__name",
    "starts_at",
    "ends_at",
    "status",
    "cancel_reason",
    "updated_at",
)


def appointments(ctx: Ctx, rows: Sequence[Row]) -> Iterator[Resource]:
    imported = ctx.identifiers(Kind.APPOINTMENT, [r[0] for r in rows])
    for pk, patient_id, clinician_id, episode_id, type_name, starts, ends, status, reason, updated in rows:
        ctx.actors.add(clinician_id)
        res: Resource = {
            "resourceType": "Appointment",
            "id": str(pk),
            "meta": meta(updated),
            "identifier": ctx.identifier_of(Kind.APPOINTMENT, imported, pk),
            "status": APPOINTMENT_STATUS[status],
            "appointmentType": {"text": type_name},
            "start": instant(starts),
            "end": instant(ends),
            "participant": [
                {"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"},
                {"actor": {"reference": f"Practitioner/{clinician_id}"}, "status": "accepted"},
            ],
        }
        if reason:
            res["cancelationReason"] = {"text": reason}
        if episode_id is not None:
            res["supportingInformation"] = [{"reference": f"EpisodeOfCare/{episode_id}"}]
        yield res


SPECS = (Spec("Appointment", Appointment, COLUMNS, appointments, stamp="updated_at", names_actors=True),)
