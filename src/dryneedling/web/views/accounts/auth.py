"""Sign-in and sign-out, audited (failed attempts included) and rate limited, and the health check.

Failed sign-ins are counted per client address (whatever the emails) and per email (whatever the
addresses) in the database; over either limit, sign-in answers 429 before the password is looked
at, so a right password is refused too and the page says why and when to try again. django-axes
still locks one email on one address after AXES_FAILURE_LIMIT failures; its lockout answers the
same 429 page (axes_lockout)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.client import client_address
from dryneedling.accounts.models import Outcome
from dryneedling.accounts.ratelimit import Decision, rate_limit_hit, rate_limit_peek
from dryneedling.clinical.text import escape_forbidden
from dryneedling.web.forms.patients import LoginForm
from dryneedling.web.views.shared import too_many_requests

logger = logging.getLogger(__name__)


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")  # before the signed-in redirect
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        form = self.get_form()
        email = _typed_email(form)
        checks = [rate_limit_peek(scope="login-address", key=client_address(request) or "unknown")]
        if email:
            checks.append(rate_limit_peek(scope="login-email", key=email))
        for decision in checks:
            if not decision.allowed:
                return too_many_requests(request, decision, email=email)
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=form.get_user(), action="auth.login")
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        audit_record(
            actor=None,
            action="auth.login",
            outcome=Outcome.FAILURE,
            # What was typed, with any control character written out (\u0000): PostgreSQL refuses
            # NUL, and a lost row would hide the attempt.
            detail={"email": escape_forbidden(str(form.data.get("username", ""))[:254])},
        )
        rate_limit_hit(scope="login-address", key=client_address(self.request) or "unknown")
        email = _typed_email(form)
        if email:
            rate_limit_hit(scope="login-email", key=email)
        return super().form_invalid(form)


def _typed_email(form: AuthenticationForm) -> str:
    """The email as typed, normalised as sign-in normalises it (stripped, lower case)."""
    return str(form.data.get("username", "")).strip().lower()[:254]


def axes_lockout(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, object] | None
) -> HttpResponse:
    """django-axes' lockout (one email on one address) as the app's one 429 answer. The wait given is
    the whole cool-off: the lockout may end a little sooner, never later."""
    cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds())
    decision = Decision(
        scope="axes",
        allowed=False,
        count=settings.AXES_FAILURE_LIMIT,
        limit=settings.AXES_FAILURE_LIMIT,
        retry_after=cool_off,
    )
    return too_many_requests(request, decision, email=str((credentials or {}).get("username", "")).lower())


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated:
            audit_record(actor=request.user, action="auth.logout")  # type: ignore[arg-type]
        return super().post(request, *args, **kwargs)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" when the database answers and every migration is applied, else 503 "unavailable".

    Anonymous callers learn nothing more (no engine, no migration state); the reason goes to the
    log, and `dryneedling manage showmigrations` gives the detail on the server."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError as error:
        logger.error("healthz: database %s unavailable: %s", connection.vendor, error)
        return HttpResponse("unavailable\n", content_type="text/plain", status=503)
    if pending:
        logger.error("healthz: %d migration(s) pending on %s", pending, connection.vendor)
        return HttpResponse("unavailable\n", content_type="text/plain", status=503)
    collected = getattr(staticfiles_storage, "collected", None)
    if collected is not None and not collected():
        logger.error("healthz: static files not collected: run `dryneedling manage collectstatic --noinput`")
        return HttpResponse("unavailable\n", content_type="text/plain", status=503)
    return HttpResponse("ok\n", content_type="text/plain")
