"""Forms parse and present; the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from dryneedling.patients.models import EpisodeStatus, ReferralSource, Sex
from dryneedling.patients.validation import parse_conditions
from dryneedling.web.forms.base import Form, SignInForm

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoginForm(SignInForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True}))

    def clean_username(self) -> str:
        # Accounts are stored lower-case (user_create); "Alice@A.Test" is the same person.
        return str(self.cleaned_data["username"]).strip().lower()


class PatientForm(Form):
    mrn = forms.CharField(label="MRN", max_length=32)
    given_name = forms.CharField(max_length=100)
    family_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(widget=DATE_WIDGET)
    sex = forms.ChoiceField(choices=Sex.choices)
    phone = forms.CharField(max_length=32, required=False)
    email = forms.EmailField(max_length=254, required=False)
    address = forms.CharField(max_length=300, required=False)
    notes = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    height_cm = forms.IntegerField(required=False, min_value=40, max_value=250, label="Height (cm)")
    weight_kg = forms.DecimalField(
        required=False,
        min_value=2,
        max_value=400,
        decimal_places=1,
        label="Weight (kg)",
        help_text="Height and weight give the BMI the lung guardrails use.",
    )
    decision_maker_name = forms.CharField(
        max_length=200, required=False, label="Substitute decision-maker (adults who cannot consent)"
    )
    decision_maker_relationship = forms.CharField(max_length=100, required=False, label="Their relationship")


class EpisodeForm(Form):
    reason = forms.CharField(max_length=300)
    conditions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "M54.50 Low back pain, unspecified"}),
        help_text="One ICD-10-CM code a line, then its text.",
    )
    referral_source = forms.ChoiceField(choices=ReferralSource.choices)
    start_date = forms.DateField(widget=DATE_WIDGET)
    end_date = forms.DateField(required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(choices=EpisodeStatus.choices)

    def clean_conditions(self) -> list[tuple[str, str]]:
        try:
            return parse_conditions(self.cleaned_data.get("conditions", ""))
        except ValidationError as error:
            raise ValidationError(error.message_dict["conditions"]) from None


def conditions_as_text(conditions: list[tuple[str, str]]) -> str:
    return "\n".join(f"{code} {text}" for code, text in conditions)
