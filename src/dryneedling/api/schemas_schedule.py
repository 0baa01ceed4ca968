"""What the API sends and accepts of the appointment book (issue 13, second part)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict
from pydantic.config import JsonDict


class AppointmentTypeOut(Schema):
    id: int
    name: str
    minutes: int


class AppointmentOut(Schema):
    id: int
    patient_id: int
    episode_id: int | None
    clinician_id: int
    appointment_type_id: int
    appointment_type: str
    starts_at: datetime
    ends_at: datetime
    status: str = Field(..., description="booked, arrived, in_session, done, no_show or cancelled")
    cancel_reason: str
    arrived_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_appointment_type(obj: object) -> str:
        return obj.appointment_type.name  # type: ignore[attr-defined,no-any-return]


class AppointmentPage(Schema):
    items: list[AppointmentOut]
    next_cursor: str | None


# In the documentation; the schema fuzz (tests/api/test_api_schema_fuzz.py) sends it with the ids of
# its own records, whose clinician works weekday mornings in Berlin.
APPOINTMENT_EXAMPLE: JsonDict = {
    "patient_id": 1,
    "clinician_id": 2,
    "appointment_type_id": 1,
    "starts_at": "2030-03-05T10:00:00+01:00",
}


class AppointmentIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [APPOINTMENT_EXAMPLE]})

    patient_id: int
    clinician_id: int
    appointment_type_id: int = Field(..., description="One of GET /api/appointment-types.")
    starts_at: datetime = Field(..., description="With its time zone, e.g. 2026-12-01T09:00:00+01:00.")
    episode_id: int | None = None
