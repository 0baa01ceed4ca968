"""Forms of the clinic safety records. They parse; the safetyrecords services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from dryneedling.accounts.zones import zone_name
from dryneedling.safetyrecords.models import IncidentKind, IncidentPerson, Profession
from dryneedling.safetyrecords.selectors import jurisdiction_choices
from dryneedling.web.forms.base import Form

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ClinicianProfileForm(Form):
    profession = forms.ChoiceField(choices=[("", "Choose…"), *Profession.choices])
    licence_number = forms.CharField(label="Licence number (optional)", max_length=60, required=False)
    credentials = forms.CharField(
        label="Credentials (optional)",
        max_length=40,
        required=False,
        help_text="As printed after your name, e.g. PT, DPT.",
    )
    npi = forms.CharField(
        label="Individual NPI (optional)",
        max_length=14,
        required=False,
        help_text="Your own (type 1) NPI: the superbill prints it as the rendering provider's.",
    )


class TrainingRecordForm(Form):
    course = forms.CharField(label="Course", max_length=200)
    provider = forms.CharField(label="Provider", max_length=200)
    hours = forms.DecimalField(label="Hours", max_digits=5, decimal_places=1, min_value=0)
    completed_on = forms.DateField(label="Completed on", widget=DATE)
    certificate = forms.CharField(label="Certificate id or wording (optional)", max_length=300, required=False)
    covers_electrical = forms.BooleanField(label="Covers electrical dry needling", required=False)


class TrainingRecordRetireForm(Form):
    reason = forms.CharField(label="Why retire this record", max_length=300)


class SharpsIncidentForm(Form):
    """Front desk staff get the staff-only version: no patient, no session."""

    kind = forms.ChoiceField(label="What happened", choices=IncidentKind.choices)
    person = forms.ChoiceField(label="Who was involved", choices=IncidentPerson.choices)
    staff_member = forms.TypedChoiceField(label="Staff member", required=False, coerce=int, empty_value=None)
    patient_mrn = forms.CharField(label="Patient MRN", max_length=32, required=False)
    session = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Read and shown in the active zone, the clinic's (accounts/zones.py); the label names it.
    occurred_at = forms.DateTimeField(label="When", widget=DATETIME)
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    immediate_action = forms.CharField(
        label="Immediate action",
        help_text="First aid, washing, reporting — what was done at once.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )
    follow_up_required = forms.BooleanField(label="Follow-up required", required=False, initial=True)
    follow_up_notes = forms.CharField(
        label="Follow-up planned (optional)", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False
    )

    def __init__(self, *args: Any, staff: list[tuple[int, str]], with_patients: bool, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("occurred_at", timezone.now().replace(second=0, microsecond=0))
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].label = f"When ({zone_name()})"
        self.fields["staff_member"].choices = [("", "—"), *staff]  # type: ignore[attr-defined]
        if not with_patients:
            for name in ("patient_mrn", "session"):
                del self.fields[name]
            self.fields["person"].choices = [(IncidentPerson.STAFF, IncidentPerson.STAFF.label)]  # type: ignore[attr-defined]
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                c for c in IncidentKind.choices if c[0] != IncidentKind.RETAINED_NEEDLE
            ]


class SharpsIncidentCloseForm(Form):
    follow_up = forms.CharField(
        label="Follow-up done",
        help_text="Testing, occupational health, what the person was told — say what was done.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class SafetySettingsForm(Form):
    age_of_consent = forms.IntegerField(
        label="Age of consent (years)",
        min_value=5,
        max_value=25,
        help_text="From this age a patient consents for themself; younger patients need a parent or guardian.",
    )
    jurisdiction = forms.ChoiceField(
        label="Jurisdiction", choices=jurisdiction_choices, help_text="Whose dry-needling rules apply."
    )


class CredentialsActionForm(Form):
    """Which of the credentials page's two forms was sent."""

    action = forms.ChoiceField(choices=[("profile", "Profession"), ("training", "Training record")])
