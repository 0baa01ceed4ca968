"""Forms of accounts: the audit trail's filters, two-factor codes and the clinic's two-factor policy,
password reset and change, and ending a signed-in session."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from dryneedling.accounts.models import Outcome
from dryneedling.web.forms.base import Form, FreeTextMixin
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


class NextForm(Form):
    """Where to go after a two-factor step: a path of this site only (never another host)."""

    next = forms.CharField(max_length=2000, required=False)

    def target(self, request: HttpRequest, default: str = "/patients/") -> str:
        value = self.cleaned_data.get("next", "") if self.is_valid() else ""
        secure = request.is_secure()
        if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=secure):
            return str(value)
        return default


class PasswordResetRequestForm(FreeTextMixin, auth_forms.PasswordResetForm):
    """Django's reset request (case-insensitive lookup of active users with a usable password; the
    same answer whether or not the email has an account), with the email lower-cased as stored."""

    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class SetNewPasswordForm(FreeTextMixin, auth_forms.SetPasswordForm):  # type: ignore[type-arg]
    """A new password from a reset link; AUTH_PASSWORD_VALIDATORS apply (the breached list too)."""


class PasswordChangeForm(FreeTextMixin, auth_forms.PasswordChangeForm):  # type: ignore[type-arg]
    """The signed-in user's password change: the current password, then a new one (validated)."""


class SessionEndForm(Form):
    session = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
