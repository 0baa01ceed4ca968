"""What the API sends and accepts of the clinical record (issue 13, second part): screenings,
sessions with their points and side effects, notes with their amendments, check-ins, outcome
scores and home-care plans. The screening's answers are documented from the questionnaire itself
(clinical.questions), so the OpenAPI document lists every question, its kind, choices and range."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict
from pydantic.config import JsonDict

from dryneedling.clinical.intake import MAX_TEXT, QUESTIONS, Question, all_clear_answers
from dryneedling.followup.selectors import outcome_instrument_choices


def _answer_schema(question: Question) -> dict[str, Any]:
    kinds: dict[str, dict[str, Any]] = {
        "bool": {"type": "boolean"},
        "int": {"type": "integer"},
        "number": {"type": "number"},
        "choice": {"type": "string", "enum": list(question.choices)},
        "multichoice": {"type": "array", "items": {"type": "string", "enum": list(question.choices)}},
        "date": {"type": "string", "format": "date"},
    }
    schema = dict(kinds.get(question.kind, {"type": "string", "maxLength": MAX_TEXT}))
    if question.min_value is not None:
        schema["minimum"] = question.min_value
    if question.max_value is not None:
        schema["maximum"] = question.max_value
    words = [question.label.rstrip(".") + ".", question.help]
    if question.required:
        words.append("Required" + (" when asked." if question.show_if else "."))
    if question.show_if:
        words.append(
            "Asked when " + " or ".join(f"{key} is one of {list(values)}" for key, values in question.show_if) + "."
        )
    if question.hidden_for_sex:
        words.append(f"Not asked of a patient recorded {' or '.join(question.hidden_for_sex)}.")
    schema["description"] = " ".join(w.strip() for w in words if w and w.strip())
    return schema


ANSWERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {question.key: _answer_schema(question) for question in QUESTIONS},
    "description": "The intake questionnaire's answers by question key, as the web's screening form sends "
    "them: unanswered optional questions left out. The screening engine checks them (an error names the "
    "question).",
}


# Examples of the writes, in the documentation; the schema fuzz (tests/api/test_api_schema_fuzz.py)
# sends them with the ids of its own records.
SCREENING_EXAMPLE: JsonDict = {"patient_id": 1, "answers": all_clear_answers(age=45, notes="Desk work; neck pain.")}
OUTCOME_EXAMPLE: JsonDict = {"episode_id": 1, "instrument_id": "nprs", "total": 3}


class ScreeningIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [SCREENING_EXAMPLE]})

    patient_id: int
    episode_id: int | None = Field(None, description="The episode the screening is for (optional).")
    answers: dict[str, Any] = Field(..., json_schema_extra=ANSWERS_SCHEMA)  # type: ignore[arg-type]


class ScreeningOut(Schema):
    id: int
    patient_id: int
    episode_id: int | None
    performed_by_id: int
    performed_at: datetime
    answers: dict[str, Any]
    decision: str = Field(..., description="suitable, suitable_with_precautions, not_suitable_at_some_sites, "
                          "not_suitable_now")  # fmt: skip
    refer_to_physician: bool
    emergency: bool = Field(..., description="Call emergency services now (e.g. chest pain).")
    rule_ids: list[str]
    result: dict[str, Any] = Field(..., description="The engine's full decision: reasons, sources, blocked sites.")
    knowledge_version: str
    updated_at: datetime


class ScreeningPage(Schema):
    items: list[ScreeningOut]
    next_cursor: str | None


class InsertionOut(Schema):
    id: int
    muscle_id: str
    side: str
    anatomical_muscle: str
    technique: str
    handling: str
    needle_diameter_mm: float
    needle_length_mm: int
    target_depth_mm: int | None
    planned_seconds: int
    actual_seconds: int
    twitch_count: int
    patient_response: str
    guardrails: list[dict[str, Any]] = Field(..., description="The guardrails shown before the point, with reasons.")
    electrical: dict[str, Any] | None
    override_reason: str
    performed_by_id: int
    performed_at: datetime


class SideEffectOut(Schema):
    id: int
    kind: str = Field(..., description="The side effect's id in the knowledge base.")
    severity: str
    onset: str
    onset_at: datetime
    management: str
    resolved_at: datetime | None
    notes: str
    recorded_at: datetime


class SessionOut(Schema):
    id: int
    patient_id: int
    episode_id: int
    clinician_id: int
    screening_id: int
    status: str
    payer: str
    checklist: dict[str, Any]
    precaution_acks: list[dict[str, Any]]
    started_at: datetime
    ended_at: datetime | None
    needles_used: int | None
    needles_removed: int | None
    main_technique: str
    insertions: list[InsertionOut]
    side_effects: list[SideEffectOut]
    updated_at: datetime = Field(..., description="Stamped by any change of the session, its points or side effects.")

    @staticmethod
    def resolve_insertions(obj: Any) -> list[Any]:
        return list(obj.insertions.all())

    @staticmethod
    def resolve_side_effects(obj: Any) -> list[Any]:
        return list(obj.adverse_events.all())


class SessionPage(Schema):
    items: list[SessionOut]
    next_cursor: str | None


class AmendmentOut(Schema):
    id: int
    section: str
    text: str
    reason: str
    author_id: int
    created_at: datetime


class NoteOut(Schema):
    id: int
    session_id: int
    subjective: str
    objective: str
    assessment: str
    plan: str
    version: int
    signed_at: datetime | None
    signed_by_id: int | None
    amendments: list[AmendmentOut]
    updated_at: datetime = Field(..., description="Stamped by any change of the note, and by each amendment.")

    @staticmethod
    def resolve_amendments(obj: Any) -> list[Any]:
        return list(obj.amendments.all())


class NotePage(Schema):
    items: list[NoteOut]
    next_cursor: str | None


class CheckInOut(Schema):
    id: int
    patient_id: int
    episode_id: int
    session_id: int
    kind: str = Field(..., description="soreness, week_1, week_4 or week_12")
    due_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    answers: dict[str, Any] | None
    red_flags: list[str]
    created_at: datetime
    updated_at: datetime


class CheckInPage(Schema):
    items: list[CheckInOut]
    next_cursor: str | None


class OutcomeOut(Schema):
    id: int
    patient_id: int
    episode_id: int
    check_in_id: int | None
    instrument_id: str
    value: float
    items: list[int | None] | None
    recorded_at: datetime
    entered_by_id: int | None
    verdict: dict[str, Any] | None = Field(..., description="The MCID verdict with its rule, threshold and sources.")
    updated_at: datetime


class OutcomeIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [OUTCOME_EXAMPLE]})

    episode_id: int
    instrument_id: str = Field(
        ..., min_length=1, max_length=20, description="The score, as on the web's list: " + "; ".join(
            f"{key}: {label}" for key, label in outcome_instrument_choices())
    )  # fmt: skip
    total: float = Field(
        ..., allow_inf_nan=False, description="The instrument's total score (licensed instruments: the total only)."
    )


class OutcomePage(Schema):
    items: list[OutcomeOut]
    next_cursor: str | None


class HomeCarePlanOut(Schema):
    id: int
    patient_id: int
    episode_id: int
    plan: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by_id: int


class HomeCarePlanPage(Schema):
    items: list[HomeCarePlanOut]
    next_cursor: str | None
