"""The `/api/` application (issue 13): django-ninja with token authentication, OpenAPI at
/api/openapi.json and its documentation at /api/docs (Swagger UI served from this server's own
static files, no CDN). Errors are JSON: {"detail": "words"} or, for a field, a list of
{"loc": [...], "msg": "..."}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.openapi.schema import OpenAPISchema

from dryneedling.accounts.audit import record_refusal
from dryneedling.accounts.ratelimit import RateLimited
from dryneedling.api.auth import UNAUTHENTICATED_TEXT, TokenAuth
from dryneedling.api.common import FieldErrors
from dryneedling.api.routes import router
from dryneedling.api.routes_clinical import router as clinical_router
from dryneedling.api.routes_followup import router as followup_router
from dryneedling.api.routes_schedule import router as schedule_router
from dryneedling.api.schemas import Error

# What the API layer itself answers, whatever the route: declared on every operation of the
# document so a client (and the schema fuzz, tests/api/test_api_schema_fuzz.py) can rely on it.
# A route declares in its own `response=` what its services answer (403, 404, 409...).
LAYER_ERRORS = {401: "Unauthorized: no token, or one revoked, expired or unknown", 429: "Too Many Requests"}
INPUT_ERROR = {422: "Unprocessable Entity: a parameter or the body does not fit; the error names it"}
BODY_ERROR = {400: "Bad Request: the body is not JSON"}


class DocumentedApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {}).setdefault(
            "Error", Error.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operation in (op for methods in schema["paths"].values() for op in methods.values()):
            errors = dict(LAYER_ERRORS) if operation.get("security") else {}
            if operation.get("parameters") or "requestBody" in operation:
                errors |= INPUT_ERROR
            if "requestBody" in operation:
                errors |= BODY_ERROR
            responses = operation["responses"]  # keyed by int (ninja's own) until rendered as JSON
            for status, words in errors.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": words, "content": error}
        return schema


api = DocumentedApi(
    title="dryneedling API",
    version="1",
    description="The clinic's records for its own tools, with a personal API token (Account → API tokens).",
    urls_namespace="api",
    auth=TokenAuth(),
)
api.add_router("/", router)
api.add_router("/", schedule_router)
api.add_router("/", clinical_router)
api.add_router("/", followup_router)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = api.create_response(request, {"detail": UNAUTHENTICATED_TEXT}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="dryneedling"'
    return response


@api.exception_handler(RateLimited)
def _too_many(request: HttpRequest, exc: Any) -> HttpResponse:
    decision = exc.decision
    detail = f"Too many requests with this token: wait {decision.retry_after} s (at most {decision.limit} a window)."
    response = api.create_response(request, {"detail": detail}, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


@api.exception_handler(PermissionDenied)
def _refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    reason = str(exc) or "Your roles do not allow this."
    record_refusal(request=request, reason=reason)  # a 'denied' row, as the web's middleware writes
    return api.create_response(request, {"detail": reason}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "No such record in your clinic."}, status=404)


@api.exception_handler(FieldErrors)
def _field_errors(request: HttpRequest, exc: Any) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)
