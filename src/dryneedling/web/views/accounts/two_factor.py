"""Two-factor sign-in pages: verify a code, enrol an authenticator, and the admin's page."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from dryneedling.accounts import two_factor as tf
from dryneedling.accounts.models import RecoveryCodeDevice
from dryneedling.accounts.selectors import membership_for
from dryneedling.web.forms.accounts import EnrolmentCodeForm, NextForm, TwoFactorCodeForm, TwoFactorPolicyForm
from dryneedling.web.views.shared import AuthedRequest


def _next_url(request: AuthedRequest) -> str:
    """The page to go on to: the form's `next`, else the query's, when it is a path of this site."""
    for data in (request.POST, request.GET):
        target = NextForm(data).target(request, default="")
        if target:
            return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthedRequest) -> HttpResponse:
    if tf.totp_device_for(user=request.user) is None:
        return redirect("two-factor-setup")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = tf.two_factor_verify(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            if isinstance(device, RecoveryCodeDevice):
                left = tf.recovery_codes_left(user=request.user)
                messages.warning(request, f"Recovery code used: {left} left. Ask a clinic admin if you lost your app.")
            return redirect(_next_url(request))
        form.add_error("code", "That code did not work. Wait a few seconds and try again with a new one.")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AuthedRequest) -> HttpResponse:
    """Scan the QR code, confirm with one code, then see the 10 recovery codes (once)."""
    try:
        device = tf.totp_enrolment_start(user=request.user)
    except ValidationError as error:
        messages.info(request, error.messages[0])
        return redirect("two-factor-verify" if not request.user.is_verified() else settings.LOGIN_REDIRECT_URL)  # type: ignore[attr-defined]
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed, codes = tf.totp_enrolment_confirm(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error.messages[0])
        else:
            request.session.cycle_key()
            otp_login(request, confirmed)
            context: dict[str, object] = {"codes": codes, "next": _next_url(request)}
            return render(request, "accounts/recovery_codes.html", context)
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, title="QR code to scan")
    context = {
        "form": form,
        "qr_svg": qr,
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET"])
def two_factor_admin(request: AuthedRequest) -> HttpResponse:
    members = list(tf.two_factor_members_for(actor=request.user))
    enrolled = tf.enrolled_user_ids(user_ids=[m.user_id for m in members])
    clinic = membership_for(actor=request.user).clinic
    policy = TwoFactorPolicyForm(initial={"require_front_desk": clinic.require_two_factor_front_desk})
    rows = [(m, m.user_id in enrolled) for m in members]
    return render(request, "accounts/two_factor_admin.html", {"rows": rows, "policy": policy})


@login_required
@require_POST
def two_factor_reset_view(request: AuthedRequest, user_id: int) -> HttpResponse:
    user = tf.two_factor_reset(actor=request.user, user_id=user_id)
    messages.success(request, f"Two-factor sign-in reset for {user}: they set it up again at their next sign-in.")
    return redirect("two-factor-admin")


@login_required
@require_POST
def two_factor_policy(request: AuthedRequest) -> HttpResponse:
    form = TwoFactorPolicyForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    tf.clinic_two_factor_policy_set(actor=request.user, require_front_desk=form.cleaned_data["require_front_desk"])
    messages.success(request, "Two-factor policy saved.")
    return redirect("two-factor-admin")
