"""Forms of two-factor sign-in: a code, and the clinic's policy."""

from __future__ import annotations

from django import forms

from dryneedling.web.forms_base import Form


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
