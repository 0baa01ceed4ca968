"""What the API sends and accepts (issue 13): pydantic schemas through django-ninja, so the OpenAPI
document at /api/openapi.json describes exactly these."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import ConfigDict
from pydantic.config import JsonDict

from dryneedling.patients.models import Sex


class Error(Schema):
    detail: str | list[dict[str, object]]


class Me(Schema):
    user_id: int
    name: str
    clinic: str
    roles: list[str]
    token_prefix: str
    scope: str
    expires_at: datetime


class PatientOut(Schema):
    id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    phone: str
    email: str
    address: str
    created_at: datetime
    updated_at: datetime


# In the documentation, and registered by the schema fuzz (tests/api/test_api_schema_fuzz.py).
PATIENT_EXAMPLE: JsonDict = {
    "given_name": "Ada",
    "family_name": "Example",
    "date_of_birth": "1980-05-17",
    "sex": "female",
    "phone": "555-0100",
}


class PatientIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [PATIENT_EXAMPLE]})

    mrn: str = Field("", description="Leave empty for the clinic's next automatic MRN.", max_length=32)
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = Field(..., min_length=1, max_length=100)
    date_of_birth: date
    sex: str = Field(..., json_schema_extra={"enum": list(Sex.values)})  # checked by the service, in words
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    confirm_duplicate: bool = Field(
        False, description="Register even though a patient of the same names and date of birth exists (409 otherwise)."
    )


class Duplicate(Schema):
    detail: str
    possible_duplicates: list[int]


class PatientPage(Schema):
    items: list[PatientOut]
    next_cursor: str | None


class ConditionOut(Schema):
    code: str
    text: str


class EpisodeOut(Schema):
    id: int
    patient_id: int
    reason: str
    status: str
    start_date: date
    end_date: date | None
    course_completed_at: datetime | None
    conditions: list[ConditionOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_conditions(obj: object) -> list[ConditionOut]:
        return [ConditionOut(code=c.code, text=c.text) for c in obj.conditions.all()]  # type: ignore[attr-defined]


class EpisodePage(Schema):
    items: list[EpisodeOut]
    next_cursor: str | None
