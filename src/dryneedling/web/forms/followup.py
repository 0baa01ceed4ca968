"""Forms of the home-care plan, the patient's check-in and consent links, alerts, outcome scores and the audit filter.
These views read many fields; the forms hold their free-text checks (web/forms/base.py), so a NUL byte
or a right-to-left override is a message, not a 500 on PostgreSQL."""

from __future__ import annotations

from typing import Any

from django import forms

from dryneedling.clinical.homecare import MAX_TEXT, MAX_TITLE
from dryneedling.followup import questions
from dryneedling.patients.validation import validate_free_text
from dryneedling.web.forms.base import Form


class TextListField(forms.Field):
    """The values of several inputs of one name (checkboxes), as a list of short one-line texts.
    Which values are allowed is the service's business; this field bounds them and applies the
    free-text rule to each (the base form only reaches CharFields)."""

    widget = forms.MultipleHiddenInput  # reads every value of the name, as a checkbox group sends them

    def __init__(self, *, max_items: int = 50, max_length: int = 100, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.max_items, self.max_length = max_items, max_length

    def to_python(self, value: Any) -> list[str]:
        if value in (None, ""):
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(v) for v in values]

    def validate(self, value: Any) -> None:
        super().validate(value)
        if len(value) > self.max_items:
            raise forms.ValidationError(f"Choose at most {self.max_items}.")
        for item in value:
            if len(item) > self.max_length:
                raise forms.ValidationError("Choose from the list.")
            validate_free_text(item, multiline=False)


class CheckInForm(Form):
    """Every answer a check-in may carry, as text; followup.questions decides what each kind needs
    and words its messages for the patient. The form bounds the input and applies the free-text rule."""

    soreness = forms.CharField(required=False, max_length=10)
    resolved = forms.CharField(required=False, max_length=10)
    side_effects = TextListField(max_items=len(questions.SIDE_EFFECTS) + 5)
    pain = forms.CharField(required=False, max_length=10)
    groc = forms.CharField(required=False, max_length=10)
    adherence = forms.CharField(required=False, max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(1, 4):
            self.fields[f"activity_{index}"] = forms.CharField(required=False, max_length=500, strip=False)
            self.fields[f"activity_{index}_score"] = forms.CharField(required=False, max_length=10)
        for key, _ in questions.RED_FLAGS:
            self.fields[f"flag_{key}"] = forms.CharField(required=False, max_length=10)

    def answers(self) -> dict[str, Any]:
        """The raw answers for followup.questions.validate (after is_valid)."""
        return dict(self.cleaned_data)

    def red_flags(self) -> list[str]:
        """The red flags ticked, even on a form that is otherwise invalid (urgent care comes first)."""
        data = getattr(self, "cleaned_data", {})
        return [key for key, _ in questions.RED_FLAGS if data.get(f"flag_{key}") in ("yes", "on")]

    def message(self) -> str:
        return " ".join(sorted({str(m) for errors in self.errors.values() for m in errors}))


class HomeCarePlanForm(Form):
    """One instructions textarea and one dose input per item of the stored plan, and the note."""

    version = forms.IntegerField()
    note = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.Textarea)
    add = forms.CharField(required=False, max_length=MAX_TITLE)  # a suggestion's id: "Add to plan"

    def __init__(self, *args: Any, plan: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = [item for section in plan["sections"] for item in section["items"]]
        for item in self.items:
            self.fields[f"keep-{item['id']}"] = forms.BooleanField(required=False)
            self.fields[f"instructions-{item['id']}"] = forms.CharField(
                required=False, max_length=MAX_TEXT, widget=forms.Textarea
            )
            self.fields[f"dose-{item['id']}"] = forms.CharField(required=False, max_length=MAX_TITLE)

    def edits(self) -> dict[str, dict[str, Any]]:
        """Per item id: keep, and the new instructions and dose (a field left out keeps its text)."""
        data, sent = self.cleaned_data, self.data
        edits: dict[str, dict[str, Any]] = {}
        for item in self.items:
            key = item["id"]
            instructions = data[f"instructions-{key}"] if f"instructions-{key}" in sent else item["instructions"]
            dose = data[f"dose-{key}"] if f"dose-{key}" in sent else item["dose"] or ""
            edits[key] = {"keep": data[f"keep-{key}"], "instructions": instructions, "dose": dose or None}
        return edits


class PublicConsentForm(Form):
    """The typed name and drawn signature; the ticked items are ids the service checks, and it
    words the missing-name message for the patient."""

    signed_name = forms.CharField(max_length=200, required=False)
    signature = forms.CharField(required=False, max_length=20000, widget=forms.Textarea)
    items = TextListField()
    signer = forms.ChoiceField(choices=[("patient", "patient"), ("substitute", "substitute")], required=False)


# Ids are BigAutoField (int8): a larger number is a field error, not a DataError (500) on PostgreSQL.
ID_MAX = 2**63 - 1


class TaskResolveForm(Form):
    """Resolve a serious side effect's follow-up (an `Alert`; the dashboard's field is still `task`)."""

    task = forms.IntegerField(min_value=1, max_value=ID_MAX)
    resolution = forms.CharField(max_length=1000)


class AlertAcknowledgeForm(Form):
    """Acknowledge a patient's red flag on the follow-up page."""

    alert = forms.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        error_messages={
            "required": "No such alert.",
            "invalid": "No such alert.",
            "min_value": "No such alert.",
            "max_value": "No such alert.",
        },
    )


class OutcomeForm(Form):
    """A score the clinician enters: the instrument's id (the service knows the instruments) and the total."""

    instrument = forms.CharField(max_length=20, error_messages={"required": "Choose the score."})
    total = forms.FloatField(
        error_messages={"required": "Enter the score as a number.", "invalid": "Enter the score as a number."}
    )


class CheckInScheduleForm(Form):
    """The course check-ins a clinic uses (issue 10): one or more of the supported points."""

    kinds = forms.MultipleChoiceField(
        label="Check-ins after the course",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one check-in: a course is always followed up."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from dryneedling.followup.models import CheckIn
        from dryneedling.followup.schedule import COURSE_KINDS

        super().__init__(*args, **kwargs)
        field = self.fields["kinds"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(k, CheckIn.Kind(k).label) for k in COURSE_KINDS]


class PatientLinkSendForm(Form):
    """Send one of a patient's links (issue 10): which link, how, and whether a resend within
    minutes of the last one is meant."""

    kind = forms.ChoiceField(
        choices=[("consent", "consent"), ("checkin", "check-in"), ("homecare", "home care"), ("education", "education")]
    )
    target = forms.IntegerField(required=False, min_value=1)
    channel = forms.ChoiceField(choices=[("email", "email"), ("sms", "SMS")])
    confirm = forms.BooleanField(required=False)


class OutcomeRulesForm(Form):
    """A clinic's MCID rules (issue 11): the NPRS rule, and MCIDs or a GROC threshold replacing the
    catalogue's defaults (left empty: the default, named with its source in the help text)."""

    nprs_rule = forms.ChoiceField(
        label="NPRS: a change counts as important when it is",
        choices=[("points", "at least 2 points"), ("relative", "at least 30 % of the baseline score")],
        widget=forms.RadioSelect,
        help_text="Both are in common use (Farrar 2001; Childs 2005) [M]. Each verdict records the rule it used.",
    )
    nprs_relative_percent = forms.FloatField(
        label="NPRS relative change (%)", required=False, help_text="Empty: 30 % (Farrar 2001) [M]."
    )
    groc_threshold = forms.IntegerField(label="GROC: improved from", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from dryneedling.followup.outcome_rules import groc_default, mcid_defaults

        super().__init__(*args, **kwargs)
        for d in mcid_defaults():
            self.fields[f"mcid_{d.instrument_id}"] = forms.FloatField(
                label=f"{d.name} MCID ({d.unit})",
                required=False,
                help_text=f"Empty: {d.value:g} {d.unit} ({d.citation}) [{d.evidence}].",
            )
        value, citation, evidence = groc_default()
        self.fields[
            "groc_threshold"
        ].help_text = f"On the -7 to +7 scale. Empty: +{value} ({citation}) [{evidence}]; studies use +3 to +5."

    def mcids(self) -> dict[str, float | None]:
        return {name.removeprefix("mcid_"): v for name, v in self.cleaned_data.items() if name.startswith("mcid_")}
