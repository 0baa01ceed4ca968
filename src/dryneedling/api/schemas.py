"""What the API sends and accepts (issue 13): pydantic schemas through django-ninja, so the OpenAPI
document at /api/openapi.json describes exactly these."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


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


class PatientIn(Schema):
    mrn: str = Field("", description="Leave empty for the clinic's next automatic MRN.", max_length=32)
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = Field(..., min_length=1, max_length=100)
    date_of_birth: date
    sex: str = Field(..., description="female, male, other or unknown", max_length=10)
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
