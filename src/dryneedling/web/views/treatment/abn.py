"""The Medicare ABN of a session, recorded or corrected after its start (linked from the superbill)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dryneedling.accounts.audit import record_view
from dryneedling.treatment import selectors
from dryneedling.treatment.services.session import session_abn_record
from dryneedling.web.forms.treatment import AbnEditForm
from dryneedling.web.views.shared import AuthedRequest, form_errors


@login_required
@require_http_methods(["GET", "POST"])
def session_abn(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    if request.method == "GET":
        record_view(actor=request.user, obj=session, what="abn")
    initial = {
        "version": session.version,
        "abn_issued": session.abn_issued,
        "abn_issued_on": session.abn_issued_on,
        "abn_signed": session.abn_signed,
        "abn_option": session.abn_option,
    }
    form = AbnEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session_abn_record(
                actor=request.user, session=session, expected_version=form.cleaned_data["version"], abn=form.abn()
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "ABN saved.")
            return redirect("superbill", session_id=session.pk)
    return render(request, "treatment/abn.html", {"session": session, "patient": session.patient, "form": form})
