"""Clinic admin pages: the audit trail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dryneedling.accounts.models import Outcome
from dryneedling.accounts.selectors import audit_list_for
from dryneedling.web.forms_followup import AuditFilterForm
from dryneedling.web.http import AuthedRequest


@login_required
@require_GET
def audit_list(request: AuthedRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    # A filter that is not valid (control characters, unknown outcome) filters nothing and says why.
    filters = form.cleaned_data if form.is_valid() else {"action": "", "outcome": ""}
    events = audit_list_for(actor=request.user, action=filters["action"], outcome=filters["outcome"])
    page = Paginator(events.select_related("actor"), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "action": filters["action"],
        "outcome": filters["outcome"],
        "outcomes": Outcome.choices,
        "filter_errors": [str(m) for errors in form.errors.values() for m in errors],
    }
    return render(request, "accounts/audit_list.html", context)
