"""Account → API tokens (issue 13): the user's personal API tokens (a clinic admin sees the
clinic's), creating one (shown once, on the page that answers the form, never in a URL or a
message) and revoking one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dryneedling.accounts.api_tokens import api_token_create, api_token_revoke, api_tokens_for
from dryneedling.web.forms.accounts import ApiTokenForm, ApiTokenRevokeForm
from dryneedling.web.views.shared import AuthedRequest


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    created, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = api_token_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
                status = 400
            else:
                form = ApiTokenForm()
        else:
            status = 400
    context = {"form": form, "tokens": api_tokens_for(actor=request.user), "created": created}
    return render(request, "accounts/api_tokens.html", context, status=status)


@login_required
@require_POST
def api_token_revoke_view(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a token to revoke from the list.")
        return redirect("api-tokens")
    try:
        token = api_token_revoke(actor=request.user, token_id=form.cleaned_data["token"])
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Token {token.prefix}… is revoked: it opens nothing any more.")
    return redirect("api-tokens")
