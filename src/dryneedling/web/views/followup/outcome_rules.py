"""The clinic's MCID rules (issue 11): the clinic admin chooses the NPRS rule (2 points or 30 %) and
may replace the catalogue's MCIDs; scores recorded afterwards carry verdicts in these rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.followup.outcome_rules import outcome_rules_set, rules_of
from dryneedling.web.forms.followup import OutcomeRulesForm
from dryneedling.web.views.shared import AuthedRequest, form_errors


@login_required
@require_http_methods(["GET", "POST"])
def outcome_rules(request: AuthedRequest) -> HttpResponse:
    clinic = require(actor=request.user, capability=CLINIC_ADMINISTRATION).clinic
    current = rules_of(clinic_id=clinic.pk)
    initial = {
        "nprs_rule": current.nprs_rule,
        "nprs_relative_percent": current.nprs_relative_percent,
        "groc_threshold": current.groc_threshold,
        **{f"mcid_{iid}": value for iid, value in current.mcids.items()},
    }
    form = OutcomeRulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome_rules_set(
                actor=request.user,
                nprs_rule=data["nprs_rule"],
                nprs_relative_percent=data["nprs_relative_percent"],
                mcids=form.mcids(),
                groc_threshold=data["groc_threshold"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Outcome rules saved: scores recorded from now on are judged by them.")
            return redirect("clinic-outcome-rules")
    return render(request, "accounts/settings/outcome_rules.html", {"form": form, "clinic": clinic})
