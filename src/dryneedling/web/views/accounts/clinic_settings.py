"""Clinic settings a clinic admin changes in the browser (issue 10): the index, the clinic's users
(invite, roles, deactivate, reactivate, unlock), the clinic's profile and its clinical policy.
Services check the role and audit; these views only parse, call and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dryneedling.accounts import clinic_settings, members
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.accounts.selectors import accounts_locked_for, member_list_for
from dryneedling.web.forms.accounts import (
    ROLE_CHOICES,
    ClinicPolicyForm,
    ClinicProfileForm,
    ClinicRemindersForm,
    InviteForm,
    MemberActionForm,
    MemberRolesForm,
)
from dryneedling.web.views.shared import AuthedRequest, form_errors

PROFILE_FIELDS = ("name", "address", "phone", "npi", "tax_id", "place_of_service", "time_zone", "alert_email")
POLICY_FIELDS = tuple(clinic_settings.POLICY_BOUNDS)


@login_required
@require_GET
def settings_index(request: AuthedRequest) -> HttpResponse:
    membership = require(actor=request.user, capability=CLINIC_ADMINISTRATION)
    return render(request, "accounts/settings/index.html", {"clinic": membership.clinic})


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request: AuthedRequest) -> HttpResponse:
    rows = list(member_list_for(actor=request.user))
    form = InviteForm(request.POST or None, initial={"role": "front_desk"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            members.member_invite(
                actor=request.user,
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                also=data["also"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, f"Invitation sent. The link works for {members.INVITE_DAYS} days.")
            return redirect("clinic-users")
    context = {
        "rows": rows,
        "locked": {u.pk for u in accounts_locked_for(actor=request.user)},  # Unlock only where it does something
        "form": form,
        "invite_days": members.INVITE_DAYS,
        "role_choices": ROLE_CHOICES,
    }
    return render(request, "accounts/settings/users.html", context)


@login_required
@require_POST
def member_roles(request: AuthedRequest, user_id: int) -> HttpResponse:
    require(actor=request.user, capability=CLINIC_ADMINISTRATION)
    form = MemberRolesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a primary role.")
        return redirect("clinic-users")
    try:
        members.member_roles_set(
            actor=request.user, user_id=user_id, role=form.cleaned_data["role"], also=form.cleaned_data["also"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Roles changed.")
    return redirect("clinic-users")


MEMBER_ACTIONS = {
    "deactivate": "Member deactivated: their sessions ended and they cannot sign in.",
    "reactivate": "Member reactivated: they can sign in again.",
    "unlock": "Failed sign-in counts cleared: they can try again now.",
    "resend": "Invitation sent again.",
}


@login_required
@require_POST
def member_action(request: AuthedRequest, user_id: int) -> HttpResponse:
    require(actor=request.user, capability=CLINIC_ADMINISTRATION)
    form = MemberActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do with this member.")
        return redirect("clinic-users")
    action = form.cleaned_data["action"]
    try:
        if action in ("deactivate", "reactivate"):
            members.member_set_active(actor=request.user, user_id=user_id, active=action == "reactivate")
        elif action == "unlock":
            members.member_unlock(actor=request.user, user_id=user_id)
        else:
            members.member_invite_resend(actor=request.user, user_id=user_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, MEMBER_ACTIONS[action])
    return redirect("clinic-users")


@login_required
@require_http_methods(["GET", "POST"])
def clinic_profile(request: AuthedRequest) -> HttpResponse:
    clinic = require(actor=request.user, capability=CLINIC_ADMINISTRATION).clinic
    form = ClinicProfileForm(request.POST or None, initial={f: getattr(clinic, f) for f in PROFILE_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            clinic_settings.clinic_profile_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Clinic profile saved.")
            return redirect("clinic-profile")
    context = {"form": form, "clinic": clinic, "time_zones": clinic_settings.time_zone_choices()}
    return render(request, "accounts/settings/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def clinic_policy(request: AuthedRequest) -> HttpResponse:
    clinic = require(actor=request.user, capability=CLINIC_ADMINISTRATION).clinic
    form = ClinicPolicyForm(request.POST or None, initial={f: getattr(clinic, f) for f in POLICY_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            clinic_settings.clinic_policy_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Clinical policy saved.")
            return redirect("clinic-policy")
    return render(request, "accounts/settings/policy.html", {"form": form, "clinic": clinic})


@login_required
@require_http_methods(["GET", "POST"])
def clinic_reminders(request: AuthedRequest) -> HttpResponse:
    """How the clinic's patients are reminded of appointments (issue 10): its own page, so the
    profile and policy forms stay as they are."""
    clinic = require(actor=request.user, capability=CLINIC_ADMINISTRATION).clinic
    form = ClinicRemindersForm(request.POST or None, initial={"reminder_channel": clinic.reminder_channel})
    if request.method == "POST" and form.is_valid():
        try:
            clinic_settings.clinic_reminders_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Reminder settings saved.")
            return redirect("clinic-reminders")
    return render(request, "accounts/settings/reminders.html", {"form": form, "clinic": clinic})
