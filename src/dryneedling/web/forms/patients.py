"""Forms parse and present; the services decide what is valid."""

from __future__ import annotations

from typing import Any

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


YES_NO = [(False, "No"), (True, "Yes")]


class PatientForm(Form):
    """Registration and edit. The MRN may be left empty on registration (the clinic's next one is
    assigned); sex has no default: the person registering chooses."""

    mrn = forms.CharField(label="MRN", max_length=32)
    given_name = forms.CharField(max_length=100)
    family_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(widget=DATE_WIDGET)
    sex = forms.ChoiceField(choices=[("", "Choose…"), *Sex.choices])
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
    insurance_payer = forms.CharField(max_length=200, required=False, label="Insurance payer")
    insurance_member_id = forms.CharField(max_length=64, required=False, label="Member ID")
    insurance_medicare = forms.TypedChoiceField(
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        required=False,
        empty_value=False,  # type: ignore[arg-type]  # the stubs say str; Django returns it as given
        initial=False,
        widget=forms.RadioSelect,
        label="Medicare",
        help_text="Medicare patients' sessions bill with GY, and GX too when they signed an ABN choosing option 1.",
    )
    emergency_contact_name = forms.CharField(max_length=200, required=False, label="Emergency contact")
    emergency_contact_relationship = forms.CharField(max_length=100, required=False, label="Their relationship")
    emergency_contact_phone = forms.CharField(max_length=32, required=False, label="Their phone")
    referring_physician_name = forms.CharField(max_length=200, required=False, label="Referring physician")
    referring_physician_npi = forms.CharField(
        max_length=16, required=False, label="Their NPI", help_text="10 digits (optional); the last digit is checked."
    )
    referring_physician_phone = forms.CharField(max_length=32, required=False, label="Their phone")
    appointment_reminders_opt_out = forms.BooleanField(
        required=False,
        label="No appointment reminders",
        help_text="The patient asked not to be reminded of appointments by email or SMS.",
    )

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            mrn = self.fields["mrn"]
            mrn.required = False
            mrn.help_text = "Leave empty to assign the clinic's next MRN; type one only to keep an imported MRN."
            self.fields["confirm_duplicate"] = forms.BooleanField(required=False, label="Create anyway")

    def clean_referring_physician_npi(self) -> str:
        # People type NPIs with spaces or dashes; the check digit is over the digits alone.
        return "".join(str(self.cleaned_data.get("referring_physician_npi", "")).replace("-", " ").split())

    SECTIONS = (
        ("Insurance", ("insurance_payer", "insurance_member_id", "insurance_medicare")),
        ("Emergency contact", ("emergency_contact_name", "emergency_contact_relationship", "emergency_contact_phone")),
        ("Referring physician", ("referring_physician_name", "referring_physician_npi", "referring_physician_phone")),
        ("Reminders", ("appointment_reminders_opt_out",)),
    )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the groups the page shows (the duplicate confirmation is a button)."""
        grouped = {name for _, names in self.SECTIONS for name in names} | {"confirm_duplicate"}
        first = [self[name] for name in self.fields if name not in grouped]
        return [("Patient", first), *((legend, [self[name] for name in names]) for legend, names in self.SECTIONS)]

    def patient_fields(self) -> dict[str, Any]:
        """The cleaned data for the service (without the duplicate confirmation)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "confirm_duplicate"}


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
