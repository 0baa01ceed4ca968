"""Forms of accounts: the audit trail's filters, two-factor codes and the clinic's two-factor policy,
password reset and change, and ending a signed-in session."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from dryneedling.accounts.api_tokens import DEFAULT_DAYS, MAX_DAYS
from dryneedling.accounts.models import REMINDER_CHANNELS, ApiToken, Outcome, Role
from dryneedling.web.forms.base import DateRangeForm, Form, FreeTextMixin
from dryneedling.web.forms.patients import DATE_WIDGET


class AuditFilterForm(DateRangeForm):
    """Filters of the audit trail. Every field is optional; a bad value is reported next to it."""

    user = forms.EmailField(label="User (email)", max_length=254, required=False)
    patient = forms.CharField(label="Patient MRN", max_length=32, required=False)
    action = forms.CharField(label="Action starts with", max_length=60, required=False)
    outcome = forms.ChoiceField(choices=[("", "any"), *Outcome.choices], required=False)
    date_from = forms.DateField(label="From", required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label="To", required=False, widget=DATE_WIDGET)


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


# --- clinic settings (issue 10) ---------------------------------------------------------------

ROLE_CHOICES = [(r.value, r.label) for r in (Role.FRONT_DESK, Role.CLINICIAN, Role.CLINIC_ADMIN)]


class MemberRolesForm(Form):
    role = forms.ChoiceField(label="Primary role", choices=ROLE_CHOICES, help_text="The role the header shows.")
    also = forms.MultipleChoiceField(
        label="Also holds", choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )


class InviteForm(MemberRolesForm):
    email = forms.EmailField(label="Email", max_length=254)
    full_name = forms.CharField(label="Full name", max_length=150)

    field_order = ["email", "full_name", "role", "also"]


class MemberActionForm(Form):
    """The buttons of a member's row: deactivate, reactivate, unlock, resend the invitation."""

    action = forms.ChoiceField(
        choices=[("deactivate", "Deactivate"), ("reactivate", "Reactivate"), ("unlock", "Unlock"), ("resend", "Resend")]
    )


class ClinicProfileForm(Form):
    name = forms.CharField(label="Clinic name", max_length=200)
    address = forms.CharField(label="Address", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    phone = forms.CharField(label="Phone", max_length=32, required=False)
    npi = forms.CharField(
        label="NPI", max_length=10, required=False, help_text="The clinic's 10-digit National Provider Identifier."
    )
    tax_id = forms.CharField(label="Tax ID (EIN)", max_length=10, required=False, help_text="Written 12-3456789.")
    place_of_service = forms.CharField(
        label="Place of service code", max_length=2, help_text="CMS place of service code; 11 is an office."
    )
    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text="IANA name, such as America/New_York: appointments are entered and shown in it.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    alert_email = forms.EmailField(
        label="Alert address",
        max_length=254,
        required=False,
        help_text="A patient's red flag is also mailed here (besides the session's clinician): a shared inbox.",
    )


class ClinicPolicyForm(Form):
    screening_validity_days = forms.IntegerField(
        label="Screening stays valid (days)",
        min_value=1,
        max_value=365,
        help_text="A session may start within this many days of the patient's screening (clinic policy).",
    )
    maintenance_pain_threshold = forms.IntegerField(
        label="Maintenance review above pain (NPRS 0-10)",
        min_value=0,
        max_value=10,
        help_text="Pain at follow-up above this on the 0-10 numeric pain rating scale asks for a maintenance review.",
    )
    session_minutes_min = forms.IntegerField(
        label="Shortest planned session (minutes)",
        min_value=1,
        max_value=120,
        help_text="The source article (source_article) says 10-15 min; not found in primary sources.",
    )
    session_minutes_max = forms.IntegerField(label="Longest planned session (minutes)", min_value=1, max_value=120)
    default_point_seconds = forms.IntegerField(
        label="Default seconds per point",
        min_value=5,
        max_value=120,
        help_text="Pistoning per point. The source article (source_article) says 15-30 s; not in primary sources.",
    )


# --- the clinic's logo (issue 10) ---------------------------------------------------------------
class ClinicLogoForm(Form):
    """The upload: its size is checked before it is read; its content is checked by the service."""

    logo = forms.FileField(
        label="Logo (PNG or JPEG)",
        help_text="At most 512 KB and 2000 pixels a side. Printed about 2 cm high at the top of the clinic's PDFs.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        error_messages={"required": "Choose a PNG or JPEG file.", "empty": "The file is empty."},
    )

    def clean_logo(self) -> bytes:
        from dryneedling.accounts.logo import MAX_BYTES

        upload = self.cleaned_data["logo"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is {upload.size // 1024} KB; a logo may be at most 512 KB.")
        return bytes(upload.read())


class ClinicRemindersForm(Form):
    reminder_channel = forms.ChoiceField(
        label="Appointment reminders",
        choices=REMINDER_CHANNELS,
        widget=forms.RadioSelect,
        help_text=(
            "Sent by `dryneedling send-due` before each booked appointment, to patients with an email "
            "address or phone number who have not opted out (on their details)."
        ),
    )


# --- personal API tokens (issue 13) ---------------------------------------------------------------


class ApiTokenForm(Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'reporting script'.")
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    days = forms.IntegerField(
        label="Expires after (days)", min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS,
        help_text=f"Every token expires: 1 to {MAX_DAYS} days.",
    )  # fmt: skip


class ApiTokenRevokeForm(Form):
    token = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
