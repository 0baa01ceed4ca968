"""Forms of the clinician's record. They parse; the treatment services decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from dryneedling.clinical import bodychart
from dryneedling.clinical.billing import Abn
from dryneedling.clinical.clean_technique import CLEAN_TECHNIQUE
from dryneedling.clinical.education import consent_items
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.safejson import JSONInputError, loads_bounded
from dryneedling.treatment.models import AdverseEvent, Consent, Finding, Note, Payer, Severity, Side, Technique
from dryneedling.treatment.services.common import (
    NEEDLE_SECONDS,
    NEEDLE_TIME_MISSING,
    PLANNED_SECONDS,
    PRECAUTION_ACK_MISSING,
    REASON_MIN_CHARS,
)
from dryneedling.treatment.services.session import POSITIONS
from dryneedling.web.forms.base import Form, quick_selects

# Bounds of the database columns: a version is a PositiveIntegerField (int4 on PostgreSQL); a larger
# number is a field error here instead of a DataError (500) in the query.
VERSION_MAX = 2**31 - 1

YES_NO = [("no", "No"), ("yes", "Yes")]
DIAMETERS = [("0.16", "0.16 mm"), ("0.18", "0.18 mm"), ("0.20", "0.20 mm"), ("0.25", "0.25 mm"), ("0.30", "0.30 mm")]
LENGTHS = [(n, f"{n} mm") for n in (13, 15, 25, 30, 40, 50, 60, 75, 90)]


def needle_defaults() -> dict[str, dict[str, Any]]:
    """By knowledge-base muscle: the needle the point form offers first (the short end of the muscle's
    typical length and diameter, as the nearest choice the form has) and the longest typical length.
    The form keeps the session's last needle on a new muscle unless it is longer than that maximum."""
    lengths = [n for n, _ in LENGTHS]
    diameters = [float(d) for d, _ in DIAMETERS]
    out: dict[str, dict[str, Any]] = {}
    for muscle in get_knowledge().muscles.values():
        spec = muscle.needle
        if spec.length_mm is None:
            continue
        short, longest = spec.length_mm
        entry: dict[str, Any] = {
            "needle_length_mm": next((n for n in lengths if n >= short), lengths[-1]),
            "max_length_mm": longest,
        }
        if spec.diameter_mm is not None:
            nearest = min(diameters, key=lambda d: abs(d - spec.diameter_mm[0]))  # type: ignore[index]
            entry["needle_diameter_mm"] = f"{nearest:.2f}"
        out[muscle.id] = entry
    return out


def region_choices() -> list[tuple[str, str]]:
    return [(r.id, f"{r.label} ({view})") for view in bodychart.VIEWS for r in bodychart.regions(view)]


def muscle_choices() -> list[tuple[str, str]]:
    return sorted(((m.id, m.name) for m in get_knowledge().muscles.values()), key=lambda c: c[1])


def member_choices() -> list[tuple[str, Any]]:
    """The members of each grouped muscle entry (billing.yaml ``identities``), one group per entry."""
    from dryneedling.clinical.billing import anatomical_name, get_billing

    members = get_billing().members
    grouped = [(m.name, members(m.id)) for m in get_knowledge().muscles.values() if len(members(m.id)) > 1]
    return [("", "— not named (counts as one muscle) —")] + [
        (name, [(a, anatomical_name(a)) for a in ids]) for name, ids in sorted(grouped)
    ]


class ConsentForm(Form):
    signer = forms.ChoiceField(
        choices=Consent._meta.get_field("signer").choices,  # type: ignore[arg-type]
        initial="patient",
        label="Who consents",
        help_text="A substitute decision-maker must be recorded on the patient first.",
    )
    signed_name = forms.CharField(
        label="Name as typed by the person consenting",
        max_length=200,
        help_text="Must match the patient's name, or the recorded substitute decision-maker's.",
    )
    confirmed = forms.BooleanField(label="The patient read the information, asked questions and agrees to dry needling")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in consent_items():
            if not item.required:
                self.fields[f"item_{item.id}"] = forms.BooleanField(required=False, label=item.text)

    def optional_items(self) -> list[str]:
        return [
            name.removeprefix("item_")
            for name, value in self.cleaned_data.items()
            if name.startswith("item_") and value
        ]


class FindingForm(Form):
    view = forms.ChoiceField(choices=[("front", "Front"), ("back", "Back")], widget=forms.HiddenInput)
    x = forms.FloatField(widget=forms.HiddenInput)
    y = forms.FloatField(widget=forms.HiddenInput)
    muscle_id = forms.ChoiceField(
        label="Muscle",
        choices=lambda: [("", "Choose a muscle…"), *muscle_choices()],
        error_messages={"required": "Choose a muscle: the chart proposes those whose trigger points lie near."},
    )
    side = forms.ChoiceField(choices=Side.choices)
    status = forms.ChoiceField(choices=Finding.Status.choices, label="Trigger point")
    taut_band = forms.BooleanField(required=False, label="Palpable taut band")
    tenderness = forms.IntegerField(min_value=0, max_value=10, label="Local tenderness (0-10)")
    familiar_pain = forms.BooleanField(required=False, label="Reproduces the familiar pain")
    referral_reproduced = forms.BooleanField(required=False, label="Reproduces the referral")
    referral_regions = forms.MultipleChoiceField(required=False, label="Referral felt at", choices=())
    ppt_kg_cm2 = forms.DecimalField(
        required=False, min_value=0, max_value=20, decimal_places=2, label="Pressure pain threshold (kg/cm², optional)"
    )

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referral_regions"].choices = region_choices  # type: ignore[attr-defined]


class PainDrawingForm(Form):
    pain_regions = forms.CharField(widget=forms.HiddenInput, initial="{}")
    nprs = forms.IntegerField(min_value=0, max_value=10, required=False, label="Pain now (NPRS 0-10)")

    def clean_pain_regions(self) -> dict[str, Any]:
        try:
            # 78 regions at about 35 characters each fit in a tenth of the cap; a drawing is one level deep.
            value = loads_bounded(self.cleaned_data["pain_regions"] or "{}", max_chars=10_000, max_depth=2)
        except JSONInputError:
            raise ValidationError("The pain drawing could not be read; mark the regions again.") from None
        if not isinstance(value, dict):
            raise ValidationError("The pain drawing could not be read; mark the regions again.")
        return value


class AbnForm(Form):
    """The Medicare ABN (form CMS-R-131) as given to the patient: its option decides the claim's modifier."""

    abn_issued = forms.BooleanField(required=False, label="Medicare: an ABN (CMS-R-131) was given for this service")
    abn_issued_on = forms.DateField(
        required=False, label="ABN date", widget=forms.DateInput(attrs={"type": "date"}), help_text="Medicare ABN only."
    )
    abn_signed = forms.BooleanField(required=False, label="The patient signed the ABN")
    abn_option = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="ABN option the patient chose",
        choices=[
            ("", "—"),
            (1, "Option 1: bill Medicare; I pay if Medicare does not"),
            (2, "Option 2: do not bill Medicare; I pay"),
            (3, "Option 3: I do not want the service"),
        ],
    )

    def abn(self) -> Abn:
        data = self.cleaned_data
        return Abn(
            issued=data["abn_issued"],
            issued_on=data.get("abn_issued_on"),
            signed=data["abn_signed"],
            option=data.get("abn_option"),
        )


class AbnEditForm(AbnForm):
    """The ABN recorded or corrected after the session's start (linked from the superbill)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)


class SessionStartForm(AbnForm):
    """The pre-session checklist starts unanswered: each question must be answered today; the ABN
    fields (Medicare only) come last."""

    field_order = (
        "new_anticoagulants",
        "possibly_pregnant",
        "new_symptoms",
        "new_medication",
        "position",
        "payer",
        "chronic_low_back_pain",
    )

    new_anticoagulants = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        label="New anticoagulant or antiplatelet medication since the screening?",
    )
    possibly_pregnant = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, label="Pregnant or possibly pregnant since the screening?"
    )
    new_symptoms = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, label="New or changed symptoms since the screening?"
    )
    new_medication = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, label="Any other new medication?")
    position = forms.ChoiceField(
        choices=[("", "—"), *POSITIONS.items()],
        label="Patient position",
        help_text="Lying is preferred: it lowers the risk of fainting.",
    )
    payer = forms.ChoiceField(choices=Payer.choices)
    chronic_low_back_pain = forms.BooleanField(required=False, label="Medicare chronic low back pain (NCD 30.3.3)")

    def __init__(self, *args: Any, precautions: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for reason in precautions:
            self.fields[f"ack_{reason['rule_id']}"] = forms.CharField(
                max_length=500,
                label=f"Precaution: {reason.get('text', '')}",
                help_text=f"What you will do about it. Rule {reason['rule_id']}; sources: "
                + ", ".join(reason.get("sources", [])),
                error_messages={"required": PRECAUTION_ACK_MISSING},
            )

    def checklist(self) -> dict[str, Any]:
        data = self.cleaned_data
        flags = ("new_anticoagulants", "possibly_pregnant", "new_symptoms", "new_medication")
        return {key: data[key] == "yes" for key in flags} | {"position": data["position"]}

    def acknowledgements(self) -> dict[str, str]:
        return {k.removeprefix("ack_"): v for k, v in self.cleaned_data.items() if k.startswith("ack_")}


class CleanTechniqueForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)
    ticked = forms.MultipleChoiceField(
        choices=[(item.id, item.label) for item in CLEAN_TECHNIQUE],
        widget=forms.CheckboxSelectMultiple,
        label="Clean technique, before the first insertion",
        error_messages={"required": "Tick every item of the clean-technique checklist."},
    )


class CompleteForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)
    needles_used = forms.IntegerField(min_value=0, max_value=500, label="Needles used")
    needles_removed = forms.IntegerField(
        min_value=0, max_value=500, label="Needles removed and in the sharps container"
    )
    soreness_now = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=10,
        label="Soreness now, 0 h (0-10, optional)",
        help_text="Ask the patient: 0 = not sore, 10 = worst imaginable. The 24, 48 and 72 h readings follow by "
        "the session's check-in link.",
    )


class InsertionForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)
    # A new key each time the form is rendered (issue 14): resending one submission records one point.
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)
    finding_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Finding")
    # No default muscle or side: a charted finding or the session's last point supplies them.
    muscle_id = forms.ChoiceField(
        label="Muscle", required=False, choices=lambda: [("", "Choose a muscle…"), *muscle_choices()]
    )
    side = forms.ChoiceField(required=False, choices=[("", "Choose a side…"), *Side.choices])
    anatomical_muscle = forms.ChoiceField(
        required=False,
        choices=member_choices,
        label="Member needled (grouped entries)",
        help_text="Grouped entries (e.g. hamstrings): name the muscle needled to bill it as its own muscle.",
    )
    technique = forms.ChoiceField(choices=Technique.choices)
    handling = forms.ChoiceField(
        required=False,
        choices=[
            ("", "—"),
            ("pincer", "Pincer grasp"),
            ("flat_palpation", "Flat palpation"),
            ("bracketing", "Bracketing over a rib"),
        ],
    )
    needle_diameter_mm = forms.ChoiceField(choices=DIAMETERS, initial="0.25", label="Needle diameter")
    needle_length_mm = forms.TypedChoiceField(choices=LENGTHS, coerce=int, initial=30, label="Needle length")
    target_depth_mm = forms.IntegerField(required=False, min_value=1, max_value=125, label="Target depth (mm)")
    distance_from_midline_cm = forms.DecimalField(
        required=False, min_value=0, max_value=40, decimal_places=1, label="Distance from midline (cm, trunk)"
    )
    planned_seconds = forms.IntegerField(
        min_value=PLANNED_SECONDS.low,
        max_value=PLANNED_SECONDS.high,
        label="Planned seconds",
        error_messages=dict.fromkeys(("required", "min_value", "max_value"), PLANNED_SECONDS.message("Planned time")),
    )
    actual_seconds = forms.IntegerField(
        min_value=NEEDLE_SECONDS.low,
        max_value=NEEDLE_SECONDS.high,
        label="Needle time (s)",
        help_text="Filled by the timer, or typed.",
        widget=forms.NumberInput(attrs={"data-timer-elapsed": "", "inputmode": "numeric"}),
        error_messages=dict.fromkeys(("required", "min_value", "max_value", "invalid"), NEEDLE_TIME_MISSING),
    )
    twitch_count = forms.IntegerField(min_value=0, max_value=200, initial=0, label="Local twitch responses")
    patient_response = forms.CharField(required=False, max_length=300, label="Patient's response")
    override_reason = forms.CharField(
        required=False,
        max_length=500,
        label="Reason to proceed despite warnings",
        help_text=f"Once per session for each warning; at least {REASON_MIN_CHARS} characters.",
    )
    # Electrical dry needling (only with the electrical technique).
    device = forms.CharField(required=False, max_length=100, label="Stimulator (device)")
    frequency_hz = forms.FloatField(required=False, min_value=0.5, max_value=250, label="Frequency (Hz)")
    pulse_width_us = forms.FloatField(required=False, min_value=10, max_value=1000, label="Pulse width (µs)")
    intensity_ma = forms.FloatField(required=False, min_value=0.1, max_value=100, label="Intensity (mA)")
    duration_min = forms.FloatField(required=False, min_value=1, max_value=60, label="Duration (min)")
    paired_with = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Lead paired with", choices=()
    )

    def __init__(
        self,
        *args: Any,
        finding_choices: list[tuple[int | str, str]],
        pair_choices: list[tuple[int | str, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["finding_id"].choices = [("", "— no charted finding —"), *finding_choices]  # type: ignore[attr-defined]
        self.fields["paired_with"].choices = [("", "— first lead of a pair —"), *pair_choices]  # type: ignore[attr-defined]
        quick_selects(self)  # rendered after every point saved (issue 14)

    def electrical(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if data.get("technique") != Technique.ELECTRICAL:
            return None
        return {
            key: data.get(key) for key in ("device", "frequency_hz", "pulse_width_us", "intensity_ma", "duration_min")
        }


class AdverseEventForm(Form):
    kind = forms.ChoiceField(label="Side effect", choices=())
    severity = forms.ChoiceField(choices=Severity.choices)
    onset = forms.ChoiceField(choices=AdverseEvent.Onset.choices)
    management = forms.CharField(required=False, max_length=1000)
    resolved = forms.BooleanField(required=False, label="Resolved before the patient left")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        effects = sorted(get_knowledge().side_effects.values(), key=lambda e: (e.severity != "mild", e.name))
        self.fields["kind"].choices = [(e.id, e.name) for e in effects]  # type: ignore[attr-defined]
        quick_selects(self)


CORRECTION_REASON = forms.CharField(
    required=False, max_length=500, label="Reason for the correction (optional)", help_text="Kept with the record."
)


class FindingCorrectionForm(FindingForm):
    """A charted finding's clinical fields (not its place on the chart), and why they change."""

    reason = CORRECTION_REASON

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("view", "x", "y"):
            del self.fields[name]

    def changes(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if key != "reason"}


class AdverseEventCorrectionForm(AdverseEventForm):
    reason = CORRECTION_REASON

    def changes(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if key != "reason"}


class NoteForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)
    subjective = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10000, required=False)
    objective = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=10000, required=False)
    assessment = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10000, required=False)
    plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10000, required=False)


class AmendmentForm(Form):
    section = forms.ChoiceField(choices=[(s, s.capitalize()) for s in Note.SECTIONS])
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10000, label="Amendment")
    reason = forms.CharField(max_length=500, label="Reason for the amendment")


REVIEWED_REQUIRED = "Tick “I have reviewed this note” to sign it."


class NoteSignForm(NoteForm):
    """Sign what is on the screen (issue 11): the version the clinician read (optimistic locking),
    the sections as they stand in the form, and the review box that is the confirmation step (it
    works without JavaScript). Sections the POST does not carry are None: not written."""

    version = forms.IntegerField(min_value=0, max_value=VERSION_MAX)
    reviewed = forms.BooleanField(
        label="I have reviewed this note and it is complete and correct",
        error_messages={"required": REVIEWED_REQUIRED},
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        for section in Note.SECTIONS:
            if section not in self.data:
                cleaned[section] = None
        return cleaned

    def sections(self) -> dict[str, str]:
        return {s: self.cleaned_data[s] for s in Note.SECTIONS if self.cleaned_data.get(s) is not None}


# --- the clinic's fee schedule (issue 10) ---------------------------------------------------------
def _fee_code_field() -> forms.ChoiceField:
    from dryneedling.clinical.billing import get_billing

    codes = [(c.code, f"{c.code} — {c.descriptor}") for c in get_billing().codes]
    message = f"The app bills {' and '.join(c for c, _ in codes)}: choose one of them."
    return forms.ChoiceField(label="CPT code", choices=codes, error_messages={"invalid_choice": message})


class FeeForm(Form):
    """Set the clinic's fee for one code: an amount in dollars and cents, 0 to 100,000."""

    code = _fee_code_field()
    amount = forms.DecimalField(
        label="Fee (USD)",
        min_value=0,
        max_value=100000,
        max_digits=8,
        decimal_places=2,
        help_text="The clinic's price for the code: what the superbill and the self-pay estimate show.",
        error_messages={"max_decimal_places": "An amount has at most 2 decimals (cents)."},
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class FeeCodeForm(Form):
    """One code of the fee schedule: the fee to remove, or (from the query string) to change."""

    code = _fee_code_field()
