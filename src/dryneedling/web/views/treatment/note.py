"""The SOAP note (edit, sign, amend), the superbill (page and PDF) and the clinic dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dryneedling.accounts.audit import record_view
from dryneedling.accounts.permissions import CLINICAL, allows
from dryneedling.accounts.selectors import clinic_logo_digest
from dryneedling.care.superbill import claim_superbill_for
from dryneedling.followup import selectors as followup_selectors
from dryneedling.followup.models import Alert
from dryneedling.followup.services import alert_acknowledge
from dryneedling.treatment import selectors
from dryneedling.treatment.billing_selectors import SuperbillNotReady
from dryneedling.treatment.models import Note
from dryneedling.treatment.pdf import render_pdf
from dryneedling.treatment.services.common import EditConflict, require_clinician
from dryneedling.treatment.services.note import note_amend, note_sign, note_signer_check, note_update
from dryneedling.web.forms.base import Form
from dryneedling.web.forms.followup import TaskResolveForm
from dryneedling.web.forms.treatment import AmendmentForm, NoteForm, NoteSignForm
from dryneedling.web.views.shared import AuthedRequest, form_errors


@login_required
@require_http_methods(["GET", "POST"])
def note_detail(request: AuthedRequest, session_id: int) -> HttpResponse:
    note = selectors.note_get_for(actor=request.user, session_id=session_id)
    if request.method == "GET":
        record_view(actor=request.user, obj=note, what="note")
    initial = {"version": note.version} | {s: getattr(note, s) for s in note.SECTIONS}
    form = NoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            note_update(actor=request.user, session_id=session_id, expected_version=version, sections=data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Note saved.")
            return redirect("note-detail", session_id=session_id)
    return _note_page(request, note, form, status=409 if form.errors and note.signed_at else 200)


def _note_page(request: AuthedRequest, note: Note, form: Form, *, status: int = 200) -> HttpResponse:
    context = {
        "note": note,
        "session": note.session,
        "patient": note.session.patient,
        "form": form,
        "review_errors": form.errors.get("reviewed", []),
        "amendment_form": AmendmentForm(),
        "amendments": note.amendments.select_related("author"),
    }
    return render(request, "treatment/note.html", context, status=status)


@login_required
@require_POST
def note_sign_view(request: AuthedRequest, session_id: int) -> HttpResponse:
    """Sign what is on the screen (issue 11): the note form's "Sign note" button posts its sections
    here; they are saved and signed together once the review box is ticked. Refused, the page is
    shown again with the typed text and the reason; nothing is written."""
    note = selectors.note_get_for(actor=request.user, session_id=session_id)  # a recorded 404 outside the write
    note_signer_check(actor=request.user, note=note)  # refused in words before the form is read
    form = NoteSignForm(request.POST)
    if not form.is_valid() and "version" in form.errors:
        messages.error(request, "The note's version is missing from the form: reload the page and try again.")
        return redirect("note-detail", session_id=session_id)
    if not form.is_valid():
        return _note_page(request, note, form)
    try:
        note_sign(
            actor=request.user,
            session_id=session_id,
            expected_version=form.cleaned_data["version"],
            sections=form.sections(),
        )
    except EditConflict as error:
        form_errors(form, error)
        return _note_page(request, note, form, status=409)
    except ValidationError as error:
        if note.signed_at is not None or not hasattr(error, "error_dict"):
            messages.error(request, " ".join(error.messages))
            return redirect("note-detail", session_id=session_id)
        form_errors(form, error)
        return _note_page(request, note, form)
    messages.success(request, "Note signed. It is now read-only; changes are amendments.")
    return redirect("note-detail", session_id=session_id)


@login_required
@require_POST
def note_amend_view(request: AuthedRequest, session_id: int) -> HttpResponse:
    selectors.note_get_for(actor=request.user, session_id=session_id)  # 404 for another clinic's note
    form = AmendmentForm(request.POST)
    if form.is_valid():
        try:
            note_amend(actor=request.user, session_id=session_id, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Amendment added.")
    else:
        messages.error(request, "An amendment needs its section, its text and a reason.")
    return redirect("note-detail", session_id=session_id)


@login_required
@require_GET
def superbill(request: AuthedRequest, session_id: int) -> HttpResponse:
    try:
        context = claim_superbill_for(actor=request.user, session_id=session_id)
    except SuperbillNotReady as error:
        return _not_ready(request, session_id, error)
    record_view(actor=request.user, obj=context["session"], what="superbill")
    digest = clinic_logo_digest(clinic_id=context["clinic"].pk)
    context["logo_src"] = f"{reverse('clinic-logo')}?v={digest[:16]}" if digest else ""
    return render(request, "treatment/superbill.html", context)


@login_required
@require_GET
def superbill_pdf(request: AuthedRequest, session_id: int) -> HttpResponse:
    try:
        context = claim_superbill_for(actor=request.user, session_id=session_id)
    except SuperbillNotReady as error:
        return _not_ready(request, session_id, error)
    record_view(actor=request.user, obj=context["session"], what="superbill_pdf")
    pdf = render_pdf("treatment/superbill_pdf.html", context, clinic_id=context["clinic"].pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="superbill-session-{session_id}.pdf"'
    return response


def _not_ready(request: AuthedRequest, session_id: int, error: SuperbillNotReady) -> HttpResponse:
    """409 in words: the note is not signed, so there is no superbill (page or PDF) for any role."""
    context = {"reason": str(error), "session_id": session_id}
    return render(request, "treatment/superbill_not_ready.html", context, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        require_clinician(request.user)  # a clinical act: refused in words before the form is read
        form = TaskResolveForm(request.POST)
        if form.is_valid():  # another clinic's alert: a recorded denial, 404, before the write
            followup_selectors.alert_get_for(actor=request.user, alert_id=form.cleaned_data["task"])
        try:
            if not form.is_valid():
                raise ValidationError([str(m) for errors in form.errors.values() for m in errors])
            alert_acknowledge(
                actor=request.user, alert_id=form.cleaned_data["task"], resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(getattr(error, "messages", ["No such task."])))
        else:
            messages.success(request, "Follow-up task resolved.")
        return redirect("dashboard")
    # Every role lands here; the open serious side effects are clinical, shown to clinicians only.
    clinical = allows(actor=request.user, capability=CLINICAL)
    tasks = (
        followup_selectors.alerts_open_for(actor=request.user, kind=Alert.Kind.SERIOUS_SIDE_EFFECT)
        if clinical
        else None
    )
    return render(request, "treatment/dashboard.html", {"tasks": tasks, "muscle_name": selectors.muscle_name})
