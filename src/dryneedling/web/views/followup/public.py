"""Pages patients reach through signed links, without an account. Every refused link gets the
same page with a plain reason and no patient data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dryneedling.accounts import zones
from dryneedling.followup import links, questions, soreness
from dryneedling.followup.links import LinkError
from dryneedling.followup.services import checkin_answer, checkin_red_flag
from dryneedling.web.forms.followup import CheckInForm
from dryneedling.web.views.shared import link_error, rate_limited


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("public-link")
def check_in(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = links.resolve(token, purpose=links.Purpose.CHECKIN)
    except LinkError as error:
        return link_error(request, error.reason)
    zones.activate(link.clinic)  # the patient's page shows its clinic's times
    error_message = ""
    flags: list[str] = []
    form = CheckInForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(form.message())
            answered = checkin_answer(token=token, raw=form.answers())
        except LinkError as error:
            return link_error(request, error.reason)
        except ValidationError as error:
            error_message = " ".join(error.messages)
            # Nothing is stored, but a red flag ticked on an incomplete form still gets the
            # urgent-care instructions, and stays ticked.
            flags = form.red_flags()
            if flags:  # the clinic hears of it now, not when the patient finishes the form
                try:
                    checkin_red_flag(token=token, flags=flags)
                except LinkError as error:
                    return link_error(request, error.reason)
        else:
            context = {"check_in": answered, "flags": form.red_flags(), "clinic": answered.clinic}
            if answered.kind == answered.Kind.SORENESS:
                context["next_reading"] = soreness.after_reading(answered)
            return render(request, "public/check_in_done.html", context)
    check_in = link.check_in
    context = {
        "check_in": check_in,
        "clinic": link.clinic,
        "error": error_message,
        "flags": flags,
        "side_effects": questions.SIDE_EFFECTS,
        "red_flags": questions.RED_FLAGS,
        "adherence": questions.ADHERENCE,
        "scale": range(0, 11),
        "groc": range(-7, 8),
    }
    if check_in is not None and check_in.kind == check_in.Kind.SORENESS:
        # Which reading is due now (24, 48 or 72 h) or when the next one opens (issue 11).
        context["due"] = soreness.due_words(check_in)
        context["first_reading"] = check_in.answered_at is None
    return render(request, "public/check_in.html", context, status=400 if error_message else 200)
