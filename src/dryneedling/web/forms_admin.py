"""Forms of the clinic admin pages: the audit trail's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from dryneedling.accounts.models import Outcome
from dryneedling.web.forms import DATE_WIDGET
from dryneedling.web.forms_base import Form


class AuditFilterForm(Form):
    """Filters of the audit trail. Every field is optional; a bad value is reported next to it."""

    user = forms.EmailField(label="User (email)", max_length=254, required=False)
    patient = forms.CharField(label="Patient MRN", max_length=32, required=False)
    action = forms.CharField(label="Action starts with", max_length=60, required=False)
    outcome = forms.ChoiceField(choices=[("", "any"), *Outcome.choices], required=False)
    date_from = forms.DateField(label="From", required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label="To", required=False, widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date comes before the start date.")
        return data
