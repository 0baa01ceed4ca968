"""Forms of accounts: the audit trail's filters, two-factor codes and the clinic's two-factor policy."""

from __future__ import annotations

from typing import Any

from django import forms

from dryneedling.accounts.models import Outcome
from dryneedling.web.forms.base import Form
from dryneedling.web.forms.patients import DATE_WIDGET


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


class TwoFactorCodeForm(Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
    )


class EnrolmentCodeForm(Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="The 6 digits the app shows after you add the account.",
    )


class TwoFactorPolicyForm(Form):
    require_front_desk = forms.BooleanField(required=False, label="Front desk must use two-factor sign-in too")
