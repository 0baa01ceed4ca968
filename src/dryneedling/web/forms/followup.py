"""Forms of the home-care plan, the patient's consent link, alerts, outcome scores and the audit filter.
These views read many fields; the forms hold their free-text checks (web/forms/base.py), so a NUL byte
or a right-to-left override is a message, not a 500 on PostgreSQL."""

from __future__ import annotations

from typing import Any

from django import forms

from dryneedling.clinical.homecare import MAX_TEXT, MAX_TITLE
from dryneedling.web.forms.base import Form


class HomeCarePlanForm(Form):
    """One instructions textarea and one dose input per item of the stored plan, and the note."""

    version = forms.IntegerField()
    note = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.Textarea)

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
