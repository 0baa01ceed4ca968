"""The intake questionnaire, as data, and strict parsing of answers.

The web form is generated from :data:`QUESTIONS`; the screening rules refer to the
question keys. Unanswered optional questions are ``None`` ("not reported").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

KINDS: tuple[str, ...] = ("bool", "choice", "int", "text", "multichoice")

# Sites a screening decision can block or flag, with the body-chart region bases they cover.
# A base ending in ".{side}" is expanded with the site's side; other bases cover both sides.
_LIMB = {
    "arm": (
        "front.shoulder",
        "front.arm.upper",
        "front.forearm",
        "front.hand",
        "back.shoulder",
        "back.arm.upper",
        "back.elbow",
        "back.forearm",
        "back.hand",
    ),
    "leg": (
        "front.hip",
        "front.thigh",
        "front.knee",
        "front.leg",
        "front.foot",
        "back.thigh",
        "back.knee",
        "back.calf",
        "back.foot",
    ),
}
SITES: Mapping[str, tuple[str, str | None, tuple[str, ...]]] = MappingProxyType(
    {
        # id: (label, side, region-base prefixes)
        "head_neck": ("Head and neck", None, ("front.head", "front.face", "front.neck", "back.head", "back.neck")),
        "chest": ("Chest wall", None, ("front.chest",)),
        "abdomen": ("Abdomen", None, ("front.abdomen",)),
        "upper_back": ("Upper and mid back", None, ("back.thoracic", "back.scapula", "back.flank")),
        "lower_back": ("Low back, sacrum and coccyx", None, ("back.lumbar", "back.sacral")),
        "pelvis_buttocks": ("Pelvis, groin and buttocks", None, ("front.groin", "back.buttock")),
        "right_arm": ("Right arm", "right", _LIMB["arm"]),
        "left_arm": ("Left arm", "left", _LIMB["arm"]),
        "right_leg": ("Right leg", "right", _LIMB["leg"]),
        "left_leg": ("Left leg", "left", _LIMB["leg"]),
        # Pregnancy-specific sites (acupuncture points commonly avoided in pregnancy).
        "first_web_space": ("First web space of both hands (LI4)", None, ("front.hand", "back.hand")),
        "medial_lower_leg": ("Lower leg above the medial malleolus (SP6)", None, ("front.leg.anterior", "back.calf")),
        "ankle_and_foot_points": (
            "Ankle and foot points BL60, BL67, LV3",
            None,
            ("front.foot", "back.foot", "front.leg.lateral"),
        ),
        "peroneals": ("Peroneal muscles (outer lower leg)", None, ("front.leg.lateral",)),
    }
)
AREAS: tuple[str, ...] = (
    "head_neck",
    "chest",
    "abdomen",
    "upper_back",
    "lower_back",
    "pelvis_buttocks",
    "right_arm",
    "left_arm",
    "right_leg",
    "left_leg",
)
LIMBS: tuple[str, ...] = ("right_arm", "left_arm", "right_leg", "left_leg")
PREGNANCY_CHOICES: tuple[str, ...] = (
    "not_pregnant",
    "possibly_pregnant",
    "first_trimester",
    "second_trimester",
    "third_trimester",
)
IMPLANT_CHOICES: tuple[str, ...] = (
    "pacemaker_or_stimulator",
    "breast",
    "pectoral",
    "buttock",
    "joint_replacement",
    "other",
)
LUNG_RISK_CHOICES: tuple[str, ...] = (
    "thoracic_surgery",
    "emphysema",
    "lung_cancer",
    "tuberculosis",
    "chronic_bronchitis",
    "pneumonia",
    "scoliosis",
)


CHOICE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        **{site: label for site, (label, _, _) in SITES.items()},
        "not_pregnant": "Not pregnant",
        "possibly_pregnant": "Possibly pregnant (not confirmed)",
        "first_trimester": "First trimester",
        "second_trimester": "Second trimester",
        "third_trimester": "Third trimester",
        "pacemaker_or_stimulator": "Pacemaker or implanted stimulator",
        "breast": "Breast implant",
        "pectoral": "Pectoral implant",
        "buttock": "Buttock implant",
        "joint_replacement": "Joint replacement",
        "other": "Other implant",
        "thoracic_surgery": "Previous thoracic surgery",
        "emphysema": "Emphysema",
        "lung_cancer": "Lung cancer",
        "tuberculosis": "Tuberculosis",
        "chronic_bronchitis": "Chronic bronchitis",
        "pneumonia": "Pneumonia",
        "scoliosis": "Scoliosis",
    }
)


def choice_label(value: str) -> str:
    """Human-readable label for a choice value."""
    return CHOICE_LABELS.get(value, value.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str
    group: str
    choices: tuple[str, ...] = ()
    help: str = ""
    required: bool = False
    min_value: int | None = None
    max_value: int | None = None


def _b(key: str, label: str, group: str, help: str = "", required: bool = False) -> Question:
    return Question(key=key, label=label, kind="bool", group=group, help=help, required=required)


def _m(key: str, label: str, group: str, choices: tuple[str, ...], help: str = "") -> Question:
    return Question(key=key, label=label, kind="multichoice", group=group, choices=choices, help=help)


QUESTIONS: tuple[Question, ...] = (
    # Consent and communication
    _b("unwilling", "Declines needling or is unwilling (fear, beliefs)", "consent", required=True),
    _b("needle_phobia", "Needle phobia", "consent", required=True),
    _b(
        "unable_to_consent",
        "Unable to give informed consent",
        "consent",
        "Cognitive impairment, capacity or age.",
        required=True,
    ),
    _b(
        "cannot_communicate",
        "Cannot communicate with the clinician, directly or via an interpreter",
        "consent",
        required=True,
    ),
    Question(
        key="age",
        label="Age in years",
        kind="int",
        group="consent",
        min_value=0,
        max_value=120,
        help="Derive from the date of birth.",
    ),
    _b("guardian_consent", "Parent or guardian has consented (patients under 16)", "consent"),
    # Red flags: refer to a physician
    _b("unexplained_weight_loss", "Unexplained weight loss", "red_flags", required=True),
    _b("night_pain", "Constant night pain not eased by rest or position", "red_flags", required=True),
    _b("fever", "Fever or feeling systemically unwell", "red_flags", required=True),
    _b("bowel_bladder_change", "New bowel or bladder disturbance", "red_flags", required=True),
    _b("saddle_anaesthesia", "Numbness in the saddle area", "red_flags", required=True),
    _b(
        "progressive_neuro_deficit",
        "Progressive weakness, numbness or other neurological deficit",
        "red_flags",
        required=True,
    ),
    # Medical history
    _b("acute_illness", "Medical emergency or acute medical condition today", "medical", required=True),
    _b("systemic_infection", "Systemic infection", "medical"),
    _b("bleeding_disorder", "Bleeding disorder or abnormal bleeding tendency", "medical", required=True),
    _b("anticoagulants", "Takes anticoagulant or antiplatelet medication", "medical", required=True),
    _b("immunocompromised", "Compromised immune system", "medical"),
    Question(
        key="pregnancy", label="Pregnancy", kind="choice", group="medical", choices=PREGNANCY_CHOICES, required=True
    ),
    _b("diabetes", "Diabetes", "medical"),
    _b("epilepsy", "Epilepsy", "medical"),
    _b("metal_allergy", "Allergy to metals (nickel or chromium)", "medical"),
    _b("vascular_disease", "Vascular disease", "medical"),
    _b("frailty", "Frail", "medical"),
    _b("severe_hyperalgesia", "Severe hyperalgesia or allodynia", "medical"),
    _m("lung_risk_history", "Chest history raising pneumothorax risk", "medical", LUNG_RISK_CHOICES),
    _m("implants", "Implants", "medical", IMPLANT_CHOICES),
    # Sites
    _m("lymphoedema_limbs", "Limbs with lymphoedema", "sites", LIMBS),
    _m("infection_sites", "Local infection, inflamed or broken skin, or skin lesion", "sites", AREAS),
    _m("varicose_vein_sites", "Varicose veins", "sites", LIMBS),
    _m("recent_surgery_sites", "Recent surgery (note if a joint capsule was opened)", "sites", AREAS),
    # Treatment history
    _b("tried_stretching", "Has tried stretching", "history"),
    _b("tried_massage", "Has tried massage", "history"),
    _b("tried_heat", "Has tried heat", "history"),
    Question(key="notes", label="Notes", kind="text", group="history"),
)
QUESTIONS_BY_KEY: Mapping[str, Question] = MappingProxyType({q.key: q for q in QUESTIONS})
MAX_TEXT = 2000


class AnswerError(ValueError):
    """Intake answers are malformed; the message is one line."""


@dataclass(frozen=True)
class IntakeAnswers:
    """Validated answers; every question key is present (``None`` = not answered)."""

    values: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, key: str) -> Any:
        if key not in QUESTIONS_BY_KEY:
            raise KeyError(key)
        return self.values.get(key)

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.values.items() if v is not None}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check(question: Question, value: Any) -> Any:
    key, kind = question.key, question.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise AnswerError(f"answer '{key}' must be true or false, got {type(value).__name__}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(f"answer '{key}' must be a whole number, got {type(value).__name__}")
        lo, hi = question.min_value, question.max_value
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise AnswerError(f"answer '{key}' must be between {lo} and {hi}, got {value}")
        return value
    if kind == "choice":
        if not isinstance(value, str) or value not in question.choices:
            raise AnswerError(f"answer '{key}' must be one of: {', '.join(question.choices)}")
        return value
    if kind == "multichoice":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise AnswerError(f"answer '{key}' must be a list of strings")
        bad = [v for v in value if v not in question.choices]
        if bad:
            allowed = ", ".join(question.choices)
            raise AnswerError(f"answer '{key}' has unknown item {_show(bad[0])} (allowed: {allowed})")
        return tuple(dict.fromkeys(value))
    if not isinstance(value, str):
        raise AnswerError(f"answer '{key}' must be text, got {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise AnswerError(f"answer '{key}' is longer than {MAX_TEXT} characters")
    return value


def parse_answers(raw: Any) -> IntakeAnswers:
    """Validate raw answers (e.g. decoded JSON). Raises :class:`AnswerError` with a one-line message."""
    if not isinstance(raw, dict):
        raise AnswerError(f"answers must be a JSON object, got {type(raw).__name__}")
    unknown = sorted(str(k) for k in raw if k not in QUESTIONS_BY_KEY)
    if unknown:
        raise AnswerError(f"unknown answer key {_show(unknown[0])}")
    values: dict[str, Any] = {}
    for question in QUESTIONS:
        value = raw.get(question.key)
        if value is None:
            if question.required:
                raise AnswerError(f"missing required answer '{question.key}'")
            values[question.key] = None
            continue
        values[question.key] = _check(question, value)
    return IntakeAnswers(values=MappingProxyType(values))


def all_clear_answers(**overrides: Any) -> dict[str, Any]:
    """Answers with every required yes/no question answered "no" and no pregnancy: the starting
    point for synthetic data, tests and benchmarks (change one answer with a keyword)."""
    answers: dict[str, Any] = {q.key: False for q in QUESTIONS if q.required and q.kind == "bool"}
    answers["pregnancy"] = "not_pregnant"
    return answers | overrides


def site_label(site: str) -> str:
    return SITES[site][0] if site in SITES else site
