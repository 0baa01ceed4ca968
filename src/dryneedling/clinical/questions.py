"""The intake questionnaire as data: questions, choices, labels and when a question is asked.

The web form is generated from :data:`QUESTIONS`; the screening rules refer to the question keys.
A question with ``show_if`` is asked only when one of its conditions holds on the other answers
(e.g. ``epilepsy_controlled`` only after "epilepsy: yes"); ``hidden_for_sex`` hides it for a
patient recorded with that sex (no pregnancy question for a patient recorded male).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .sites import AREAS, LEG_REGION_SITES, LIMBS, LOCAL_SITES, SITES

KINDS: tuple[str, ...] = ("bool", "choice", "int", "number", "date", "text", "multichoice")

PREGNANCY_CHOICES: tuple[str, ...] = (
    "not_pregnant",
    "possibly_pregnant",
    "first_trimester",
    "second_trimester",
    "third_trimester",
)
PREGNANT: tuple[str, ...] = ("first_trimester", "second_trimester", "third_trimester")
# Weeks of pregnancy per trimester (first day of the last period): 1-13, 14-27, 28-42.
TRIMESTER_WEEKS: Mapping[str, tuple[int, int]] = MappingProxyType(
    {"first_trimester": (1, 13), "second_trimester": (14, 27), "third_trimester": (28, 42)}
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
CERVICAL_SCREEN_CHOICES: tuple[str, ...] = ("not_done", "negative", "positive")
TREATMENT_REGIONS: tuple[str, ...] = (*AREAS, *LIMBS)
NECK_REGIONS: tuple[str, ...] = ("head_neck",)

CHOICE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        **{site_id: site.label for site_id, site in SITES.items()},
        "not_pregnant": "Not pregnant",
        "possibly_pregnant": "Possibly pregnant (not confirmed)",
        "first_trimester": "First trimester",
        "second_trimester": "Second trimester",
        "third_trimester": "Third trimester",
        "pacemaker_or_stimulator": "Pacemaker, ICD or implanted stimulator",
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
        "not_done": "Not done yet",
        "negative": "Done: no sign of cervical arterial dysfunction",
        "positive": "Done: signs of cervical arterial dysfunction",
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
    min_value: float | None = None
    max_value: float | None = None
    # Asked only when one of these holds: (other key, values); a multichoice matches any value.
    show_if: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    hidden_for_sex: tuple[str, ...] = ()

    @property
    def conditional(self) -> bool:
        return bool(self.show_if)


def is_shown(question: Question, values: Mapping[str, Any], sex: str | None = None) -> bool:
    """Whether the question is asked, given the other answers and the patient's recorded sex."""
    if sex is not None and sex in question.hidden_for_sex:
        return False
    if not question.show_if:
        return True
    for key, wanted in question.show_if:
        value = values.get(key)
        if isinstance(value, list | tuple):
            if any(v in wanted for v in value):
                return True
        elif value is not None and value in wanted:
            return True
    return False


def _b(key: str, label: str, group: str, help: str = "", required: bool = False, **kw: Any) -> Question:
    return Question(key=key, label=label, kind="bool", group=group, help=help, required=required, **kw)


def _m(key: str, label: str, group: str, choices: tuple[str, ...], help: str = "", **kw: Any) -> Question:
    return Question(key=key, label=label, kind="multichoice", group=group, choices=choices, help=help, **kw)


_ON_ANTITHROMBOTICS = (("anticoagulants", (True,)),)
_BLEEDING_RISK = (("anticoagulants", (True,)), ("bleeding_disorder", (True,)))

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
    Question(
        key="substitute_decision_maker",
        label="Substitute decision-maker (name and relationship)",
        kind="text",
        group="consent",
        help="For an adult who cannot consent: the person legally entitled to consent for them.",
        show_if=(("unable_to_consent", (True,)),),
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
    _b(
        "guardian_consent",
        "A parent, guardian or substitute decision-maker has consented (patient under the age of consent)",
        "consent",
    ),
    _b("psychological_state", "Psychological state that affects needling now (e.g. severe anxiety)", "consent"),
    # Emergency and red flags
    _b(
        "chest_pain_or_breathless",
        "Chest pain or shortness of breath now",
        "red_flags",
        "If yes: call emergency services now.",
        required=True,
    ),
    _b("unexplained_weight_loss", "Unexplained weight loss", "red_flags", required=True),
    _b("night_pain", "Constant night pain not eased by rest or position", "red_flags", required=True),
    _b("cancer_history", "History of cancer", "red_flags", required=True),
    _b(
        "fever",
        "Fever or feeling unwell together with the muscle or joint complaint",
        "red_flags",
        required=True,
    ),
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
    _b(
        "fever_acute_illness",
        "Fever from an ordinary acute illness such as a cold",
        "medical",
        required=True,
    ),
    _b("systemic_infection", "Systemic infection", "medical"),
    _b("bleeding_disorder", "Bleeding disorder or abnormal bleeding tendency", "medical", required=True),
    _b("anticoagulants", "Takes anticoagulant or antiplatelet medication", "medical", required=True),
    Question(
        key="anticoagulant_drug",
        label="Anticoagulant or antiplatelet drug(s) and dose",
        kind="text",
        group="medical",
        show_if=_ON_ANTITHROMBOTICS,
    ),
    Question(
        key="inr",
        label="Latest INR",
        kind="number",
        group="medical",
        min_value=0.5,
        max_value=15.0,
        help="For warfarin or another vitamin K antagonist, e.g. 2.4.",
        show_if=_ON_ANTITHROMBOTICS,
    ),
    Question(
        key="platelet_count",
        label="Latest platelet count (x10^9/L)",
        kind="int",
        group="medical",
        min_value=0,
        max_value=2000,
        show_if=_BLEEDING_RISK,
    ),
    _b("immunocompromised", "Compromised immune system", "medical"),
    Question(
        key="pregnancy",
        label="Pregnancy",
        kind="choice",
        group="medical",
        choices=PREGNANCY_CHOICES,
        required=True,
        hidden_for_sex=("male",),
    ),
    Question(
        key="pregnancy_weeks",
        label="Weeks of pregnancy",
        kind="int",
        group="medical",
        min_value=1,
        max_value=42,
        help="Must agree with the trimester: 1-13, 14-27, 28-42.",
        show_if=(("pregnancy", PREGNANT),),
        hidden_for_sex=("male",),
    ),
    _b("diabetes", "Diabetes", "medical"),
    _b("peripheral_neuropathy", "Peripheral neuropathy or loss of protective sensation", "medical"),
    _b("epilepsy", "Epilepsy", "medical"),
    _b("epilepsy_controlled", "Epilepsy controlled (no recent seizures)", "medical", show_if=(("epilepsy", (True,)),)),
    _b("metal_allergy", "Allergy to metals (nickel or chromium)", "medical"),
    _b("latex_allergy", "Latex allergy", "medical"),
    _b("vascular_disease", "Vascular disease", "medical"),
    _b("frailty", "Frail", "medical"),
    _b("severe_hyperalgesia", "Severe hyperalgesia or allodynia", "medical"),
    _m("lung_risk_history", "Chest history raising pneumothorax risk", "medical", LUNG_RISK_CHOICES),
    _m("implants", "Implants", "medical", IMPLANT_CHOICES),
    _b("acute_injury", "Acute injury behind the complaint", "medical"),
    Question(
        key="days_since_onset",
        label="Days since the injury or onset",
        kind="int",
        group="medical",
        min_value=0,
        max_value=36500,
        show_if=(("acute_injury", (True,)),),
    ),
    # Sites
    _m("treatment_regions", "Body areas to be treated", "sites", TREATMENT_REGIONS),
    Question(
        key="cervical_arterial_screen",
        label="Screening for cervical arterial dysfunction",
        kind="choice",
        group="sites",
        choices=CERVICAL_SCREEN_CHOICES,
        help="Before needling the neck or the suboccipital region.",
        show_if=(("treatment_regions", NECK_REGIONS),),
    ),
    _m("lymphoedema_limbs", "Limbs with lymphoedema", "sites", LIMBS),
    _m(
        "at_risk_limbs",
        "Limbs at risk after lymph-node removal (no lymphoedema)",
        "sites",
        LIMBS,
    ),
    _m("infection_sites", "Local infection, inflamed or broken skin, or skin lesion", "sites", LOCAL_SITES),
    _m("varicose_vein_sites", "Varicose veins", "sites", LEG_REGION_SITES),
    _m("recent_surgery_sites", "Recent surgery", "sites", LOCAL_SITES),
    Question(
        key="recent_surgery_date",
        label="Date of the surgery",
        kind="date",
        group="sites",
        help="YYYY-MM-DD.",
        show_if=(("recent_surgery_sites", LOCAL_SITES),),
    ),
    _b(
        "joint_capsule_opened",
        "The surgery opened a joint capsule",
        "sites",
        show_if=(("recent_surgery_sites", LOCAL_SITES),),
    ),
    # Treatment history
    _b("tried_stretching", "Has tried stretching", "history"),
    _b("tried_massage", "Has tried massage", "history"),
    _b("tried_heat", "Has tried heat", "history"),
    Question(key="notes", label="Notes", kind="text", group="history"),
)
QUESTIONS_BY_KEY: Mapping[str, Question] = MappingProxyType({q.key: q for q in QUESTIONS})
