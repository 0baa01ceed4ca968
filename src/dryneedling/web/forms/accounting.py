"""Forms of the billing pages: parse and present; the accounting services decide what is valid."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms

from dryneedling.accounting.models import Payment
from dryneedling.web.forms.base import Form

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_EXPORT_DAYS = 366


class PaymentForm(Form):
    amount = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    method = forms.ChoiceField(choices=Payment.Method.choices, widget=forms.RadioSelect)
    received_on = forms.DateField(label="Received on", widget=DATE_WIDGET)
    reference = forms.CharField(
        label="Reference (optional)",
        max_length=60,
        required=False,
        help_text="A receipt or authorization number. Never a card number: card data is not stored.",
    )


class VoidForm(Form):
    reason = forms.CharField(max_length=200, label="Why void this payment")


class LedgerForm(Form):
    """The accounting export's date range (clinic-local dates, inclusive)."""

    start = forms.DateField(label="From", widget=DATE_WIDGET)
    end = forms.DateField(label="To", widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is on or after the start date.")
        elif start and end and end - start > timedelta(days=MAX_EXPORT_DAYS):
            self.add_error("end", f"Export at most {MAX_EXPORT_DAYS} days at a time.")
        return data
