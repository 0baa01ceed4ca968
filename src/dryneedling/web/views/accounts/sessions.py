"""The signed-in user's Active sessions: where they are signed in, and signing out elsewhere."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dryneedling.accounts.sessions import active_sessions_for, session_end, sessions_end_others
from dryneedling.web.forms.accounts import SessionEndForm
from dryneedling.web.views.shared import AuthedRequest


@never_cache
@login_required
@require_GET
def session_list(request: AuthedRequest) -> HttpResponse:
    rows = active_sessions_for(actor=request.user, current_key=request.session.session_key)
    context = {"sessions": rows, "idle_minutes": settings.SESSION_COOKIE_AGE // 60}
    return render(request, "accounts/sessions.html", context)


@login_required
@require_POST
def sessions_end_others_view(request: AuthedRequest) -> HttpResponse:
    ended = sessions_end_others(actor=request.user, current_key=request.session.session_key)
    if ended:
        messages.success(request, f"Signed out everywhere else ({ended} session{'s' if ended != 1 else ''}).")
    else:
        messages.info(request, "You were signed in nowhere else.")
    return redirect("sessions")


@login_required
@require_POST
def session_end_view(request: AuthedRequest) -> HttpResponse:
    form = SessionEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a session to sign out from the list.")
        return redirect("sessions")
    try:
        key = request.session.session_key
        session_end(actor=request.user, session_id=form.cleaned_data["session"], current_key=key)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "That session is signed out.")
    return redirect("sessions")
