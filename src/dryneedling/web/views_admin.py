"""Clinic admin pages: the audit trail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dryneedling.accounts.models import Outcome
from dryneedling.accounts.selectors import audit_list_for
from dryneedling.web.http import AuthedRequest


@login_required
@require_GET
def audit_list(request: AuthedRequest) -> HttpResponse:
    action = request.GET.get("action", "")[:60]
    outcome = request.GET.get("outcome", "")
    if outcome not in Outcome.values:
        outcome = ""
    events = audit_list_for(actor=request.user, action=action, outcome=outcome)
    page = Paginator(events.select_related("actor"), 50).get_page(request.GET.get("page"))
    context = {"page": page, "action": action, "outcome": outcome, "outcomes": Outcome.choices}
    return render(request, "accounts/audit_list.html", context)
