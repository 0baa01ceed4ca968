"""Password reset by email (Django's flow with the app's forms, pages, limits and audit) and the
signed-in user's password change.

Reset: the request form answers the same page whether or not the email has an account; the email
goes through Django's email backend with a link under DRYNEEDLING_PUBLIC_URL (never the request's
Host header); the link works once and for PASSWORD_RESET_TIMEOUT. Setting the new password ends
every session of the user. Requests are rate limited per address and per email.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dryneedling.accounts.client import client_address
from dryneedling.accounts.members import invite_token_generator
from dryneedling.accounts.ratelimit import rate_limit_hit
from dryneedling.accounts.services import password_changed, password_reset_completed, password_reset_requested
from dryneedling.web.forms.accounts import PasswordChangeForm, PasswordResetRequestForm, SetNewPasswordForm
from dryneedling.web.views.shared import AuthedRequest, too_many_requests

GET_POST = method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
GET_ONLY = method_decorator(require_GET, name="dispatch")


@GET_POST
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-done")

    def get_extra_email_context(self) -> dict[str, Any]:
        return {"base_url": settings.PUBLIC_BASE_URL, "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        decision = rate_limit_hit(scope="password-reset-address", key=client_address(request) or "unknown")
        if not decision.allowed:
            return too_many_requests(request, decision)
        return super().post(request, *args, **kwargs)  # type: ignore[no-any-return]

    def form_valid(self, form: PasswordResetRequestForm) -> HttpResponse:  # type: ignore[override]
        email = form.cleaned_data["email"]
        decision = rate_limit_hit(scope="password-reset-email", key=email)
        if not decision.allowed:  # the same for an email without an account
            return too_many_requests(self.request, decision, email=email)
        password_reset_requested(email=email, user=next(iter(form.get_users(email)), None))
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


@GET_ONLY
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


@GET_POST
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetNewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")

    def form_valid(self, form: SetNewPasswordForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)  # saves the password (and signs nobody in)
        password_reset_completed(user=form.user)
        return response


@GET_POST
class InviteAcceptView(PasswordResetConfirmView):
    """The link of a clinic admin's invitation: the reset confirm page with the invitation's own
    token generator (valid members.INVITE_DAYS days, once)."""

    token_generator = invite_token_generator
    extra_context = {"invitation": True}
    success_url = reverse_lazy("invite-complete")


@GET_ONLY
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


@GET_ONLY
class InviteCompleteView(auth_views.PasswordResetCompleteView):
    """After an invitation's first password: a welcome, not the reset's "every browser signed out"
    (a new account had no browser to sign out)."""

    template_name = "registration/invite_complete.html"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthedRequest) -> HttpResponse:
    """Change one's password; every other session of the user ends, this one stays."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        ended = password_changed(actor=request.user, current_key=request.session.session_key)
        update_session_auth_hash(request, form.user)  # keeps this session (under a new key)
        others = f"{ended} other session{'s' if ended != 1 else ''}"
        messages.success(request, f"Password changed. You were signed out everywhere else ({others}).")
        return redirect("sessions")
    return render(request, "accounts/password_change.html", {"form": form})
