"""Sign-in and sign-out, audited (failed attempts included), and the health check."""

from __future__ import annotations

import logging

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Outcome
from dryneedling.clinical.text import escape_forbidden
from dryneedling.web.forms.patients import LoginForm

logger = logging.getLogger(__name__)


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")  # before the signed-in redirect
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

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
        return super().form_invalid(form)


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
    return HttpResponse("ok\n", content_type="text/plain")
