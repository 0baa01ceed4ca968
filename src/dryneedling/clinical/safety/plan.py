"""The safety plan: one planned insertion with everything known about it, read from JSON.

:meth:`SafetyPlan.from_dict` checks the shape strictly and raises :class:`PlanError` with one line
naming the field. Clinical judgements (a paired muscle recorded as midline, an outdated consent) are
not input errors: they come back from :func:`evaluate` as blocks with rule ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..intake import AnswerError, IntakeAnswers
from ..knowledge import Knowledge, get_knowledge
from . import _facts
from ._types import (
    HANDLINGS,
    SEXES,
    SIDES,
    TECHNIQUES,
    VIEWS,
    ConsentState,
    Electrical,
    InsertionContext,
    Location,
    PlannedInsertion,
)

_INSERTION = ("muscle", "side", "technique", "needle_length_mm", "needle_diameter_mm", "target_depth_mm",
              "handling", "distance_from_midline_cm", "location", "electrical")  # fmt: skip
_ELECTRICAL = ("device", "frequency_hz", "pulse_width_us", "intensity_ma", "duration_min", "paired_with")
_PATIENT = ("age", "sex", "pregnancy_weeks", "height_cm", "weight_kg")
_TOP = ("insertion", "patient", "screening", "consent", "session", "clinician")


class PlanError(ValueError):
    """The plan is malformed; the message is one line naming the field."""


@dataclass(frozen=True)
class PatientFacts:
    age: int | None = None
    sex: str | None = None
    pregnancy_weeks: int | None = None
    height_cm: float | None = None
    weight_kg: float | None = None

    @property
    def bmi(self) -> float | None:
        if self.height_cm is None or self.weight_kg is None:
            return None
        return self.weight_kg / (self.height_cm / 100) ** 2


@dataclass(frozen=True)
class ClinicianFacts:
    profession: str | None
    training_hours: float
    jurisdiction: str


@dataclass(frozen=True)
class SafetyPlan:
    insertion: PlannedInsertion
    patient: PatientFacts
    answers: IntakeAnswers | None
    consent: ConsentState
    session: tuple[PlannedInsertion, ...] = ()
    clinician: ClinicianFacts | None = None

    @classmethod
    def from_dict(cls, raw: Any, *, knowledge: Knowledge | None = None) -> SafetyPlan:
        return _plan(raw, knowledge or get_knowledge())

    def context(self, knowledge: Knowledge | None = None) -> InsertionContext:
        """The engine's context: screening facts, patient facts, consent and the session so far."""
        k = knowledge or get_knowledge()
        a, p = self.answers, self.patient
        return InsertionContext(
            sex=p.sex,
            bmi=p.bmi,
            pregnant_trimester=_facts.trimester(weeks=p.pregnancy_weeks, answers=a),
            lymphoedema_limbs=_facts.limbs(a, "lymphoedema_limbs"),
            at_risk_limbs=_facts.limbs(a, "at_risk_limbs"),
            other_insertions=self.session,
            implants=tuple(_facts.answer(a, "implants") or ()),
            epilepsy=_facts.flag(a, "epilepsy"),
            bleeding_disorder=_facts.flag(a, "bleeding_disorder"),
            anticoagulants=_facts.flag(a, "anticoagulants"),
            anticoagulant_drug=_facts.answer(a, "anticoagulant_drug") or None,
            inr=_facts.number(a, "inr"),
            platelet_count=_facts.number(a, "platelet_count"),
            consent=self.consent,
            screening=_facts.screened_reasons(a, p.sex, k) if a is not None else (),
        )


# -- reading ---------------------------------------------------------------------------------------
def _fail(path: str, problem: str) -> PlanError:
    return PlanError(f"plan field '{path}': {problem}")


def _obj(raw: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail(path, f"expected an object, got {type(raw).__name__}")
    for key in raw:
        if key not in allowed:
            raise _fail(f"{path}.{key}" if path else str(key), f"unknown key (allowed: {', '.join(allowed)})")
    for key in required:
        if raw.get(key) is None:
            raise _fail(f"{path}.{key}" if path else key, "is required")
    return raw


def _num(d: dict[str, Any], key: str, path: str, low: float, high: float, *, integer: bool = False) -> Any:
    value = d.get(key)
    if value is None:
        return None
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise _fail(
            f"{path}.{key}", f"expected a {'whole number' if integer else 'number'}, got {type(value).__name__}"
        )
    if not low <= value <= high:
        raise _fail(f"{path}.{key}", f"must lie between {low:g} and {high:g}, got {value:g}")
    return value


def _choice(d: dict[str, Any], key: str, path: str, choices: tuple[str, ...]) -> str | None:
    value = d.get(key)
    if value is not None and (not isinstance(value, str) or value not in choices):
        raise _fail(f"{path}.{key}", f"must be one of {', '.join(choices)}")
    return value


def _electrical(raw: Any, path: str) -> Electrical:
    d = _obj(raw, path, _ELECTRICAL, required=_ELECTRICAL[:5])
    if not isinstance(d["device"], str):
        raise _fail(f"{path}.device", "expected text")
    numbers = {k: _num(d, k, path, 0, 1e6) for k in _ELECTRICAL[1:5]}
    paired = _num(d, "paired_with", path, 0, 999, integer=True)
    try:
        return Electrical(device=d["device"], paired_with=paired, **{k: float(v) for k, v in numbers.items()})
    except ValueError as exc:
        field = str(exc).split(" ", 1)[0]
        raise _fail(f"{path}.{field}" if field in _ELECTRICAL else path, str(exc)) from None


def _insertion(raw: Any, path: str, k: Knowledge) -> PlannedInsertion:
    d = _obj(raw, path, _INSERTION, required=("muscle", "side", "technique", "needle_length_mm"))
    muscle = d["muscle"]
    if not isinstance(muscle, str) or muscle not in k.muscles:
        raise _fail(f"{path}.muscle", f"unknown muscle {str(muscle)[:40]!r}")
    side = _choice(d, "side", path, SIDES)
    technique = _choice(d, "technique", path, TECHNIQUES)
    length = _num(d, "needle_length_mm", path, 7, 125)
    depth = _num(d, "target_depth_mm", path, 1, 125)
    if depth is not None and depth > length:
        raise _fail(f"{path}.target_depth_mm", "must not be deeper than the needle is long")
    location = None
    if d.get("location") is not None:
        loc = _obj(d["location"], f"{path}.location", ("view", "x", "y"), required=("view", "x", "y"))
        view = _choice(loc, "view", f"{path}.location", VIEWS)
        x, y = _num(loc, "x", f"{path}.location", 0, 200), _num(loc, "y", f"{path}.location", 0, 460)
        location = Location(view=str(view), x=float(x), y=float(y))
    electrical = None
    if technique == "electrical":
        if d.get("electrical") is None:
            raise _fail(f"{path}.electrical", "is required when the technique is electrical")
        electrical = _electrical(d["electrical"], f"{path}.electrical")
    elif d.get("electrical") is not None:
        raise _fail(f"{path}.electrical", "is only for the technique electrical")
    distance = _num(d, "distance_from_midline_cm", path, 0, 30)
    diameter = _num(d, "needle_diameter_mm", path, 0.1, 0.6)
    return PlannedInsertion(
        muscle_id=muscle,
        side=str(side),
        needle_length_mm=float(length),
        technique=str(technique),
        handling=_choice(d, "handling", path, HANDLINGS),
        distance_from_midline_cm=float(distance) if distance is not None else None,
        needle_diameter_mm=float(diameter) if diameter is not None else None,
        target_depth_mm=float(depth) if depth is not None else None,
        location=location,
        electrical=electrical,
    )


def _check_pair(ins: PlannedInsertion, path: str, session: tuple[PlannedInsertion, ...], own: int | None) -> None:
    index = ins.electrical.paired_with if ins.electrical else None
    if index is None:
        return
    where = f"{path}.electrical.paired_with"
    if index >= len(session) or index == own:
        raise _fail(where, f"no other insertion {index} in session.insertions ({len(session)} recorded)")
    if session[index].technique != "electrical":
        raise _fail(where, f"session.insertions[{index}] is not an electrical insertion")


def _patient(raw: Any) -> PatientFacts:
    d = _obj(raw if raw is not None else {}, "patient", _PATIENT)
    sex = _choice(d, "sex", "patient", SEXES)
    weeks = _num(d, "pregnancy_weeks", "patient", 0, 45, integer=True)
    if weeks is not None and sex == "male":
        raise _fail("patient.pregnancy_weeks", "given for a patient recorded male")
    height, weight = _num(d, "height_cm", "patient", 30, 250), _num(d, "weight_kg", "patient", 1, 400)
    return PatientFacts(
        age=_num(d, "age", "patient", 0, 120, integer=True),
        sex=sex,
        pregnancy_weeks=weeks,
        height_cm=float(height) if height is not None else None,
        weight_kg=float(weight) if weight is not None else None,
    )


def _consent(raw: Any) -> ConsentState:
    if raw is None:
        return ConsentState(version=None)
    d = _obj(raw, "consent", ("version", "items"), required=("version",))
    items = d.get("items") or []
    if not isinstance(d["version"], str) or not d["version"].strip():
        raise _fail("consent.version", "expected the consent version as text")
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise _fail("consent.items", "expected a list of consent item ids")
    return ConsentState(version=d["version"], items=frozenset(items))


def _clinician(raw: Any) -> ClinicianFacts | None:
    from ..credentials import JURISDICTIONS, PROFESSIONS

    if raw is None:
        return None
    d = _obj(raw, "clinician", ("profession", "training_hours", "jurisdiction"))
    hours = _num(d, "training_hours", "clinician", 0, 10000)
    jurisdiction = _choice(d, "jurisdiction", "clinician", tuple(JURISDICTIONS)) or "generic"
    return ClinicianFacts(
        profession=_choice(d, "profession", "clinician", PROFESSIONS),
        training_hours=float(hours or 0),
        jurisdiction=jurisdiction,
    )


def _plan(raw: Any, k: Knowledge) -> SafetyPlan:
    top = _obj(raw, "", _TOP, required=("insertion",))
    session_raw = _obj(top.get("session") or {}, "session", ("insertions",)).get("insertions") or []
    if not isinstance(session_raw, list):
        raise _fail("session.insertions", "expected a list of insertions")
    session = tuple(_insertion(r, f"session.insertions[{i}]", k) for i, r in enumerate(session_raw))
    for i, ins in enumerate(session):
        _check_pair(ins, f"session.insertions[{i}]", session, i)
    insertion = _insertion(top["insertion"], "insertion", k)
    _check_pair(insertion, "insertion", session, None)
    patient = _patient(top.get("patient"))
    answers = None
    if top.get("screening") is not None:
        scr = _obj(top["screening"], "screening", ("answers",))
        try:
            answers = _facts.parse_partial(scr.get("answers") or {}, patient.sex)
        except AnswerError as exc:
            raise _fail("screening.answers", " ".join(str(exc).split())) from None
    return SafetyPlan(
        insertion=insertion,
        patient=patient,
        answers=answers,
        consent=_consent(top.get("consent")),
        session=session,
        clinician=_clinician(top.get("clinician")),
    )
