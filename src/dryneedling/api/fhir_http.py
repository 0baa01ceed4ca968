"""What every `/fhir/` view shares (issue 13): the personal API token of the JSON API (`TokenAuth`:
the same rate limits, the clinic's time zone), `application/fhir+json` answers, and errors as an
OperationOutcome saying why in words: 401 no or a bad token, 403 a role that may not, 404 not in
your clinic, 400 a parameter this server does not take, 405 a method, 429 too many requests."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from dryneedling.accounts.audit import audit_record, record_refusal
from dryneedling.accounts.ratelimit import RateLimited
from dryneedling.api.auth import UNAUTHENTICATED_TEXT, TokenAuth, token_of

FHIR_JSON = "application/fhir+json"
FHIR_NDJSON = "application/fhir+ndjson"
NOT_FOUND_TEXT = "No such record in your clinic."
_AUTH = TokenAuth()


class FhirError(Exception):
    def __init__(self, status: int, text: str, code: str = "invalid") -> None:
        super().__init__(text)
        self.status, self.text, self.code = status, text, code


def fhir_response(body: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(orjson.dumps(body), status=status, content_type=FHIR_JSON)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def outcome(text: str, code: str, severity: str = "error") -> dict[str, Any]:
    issue = {"severity": severity, "code": code, "diagnostics": text, "details": {"text": text}}
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def error_response(status: int, text: str, code: str, **headers: str) -> HttpResponse:
    return fhir_response(outcome(text, code), status=status, **headers)


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/")


def via(request: Any, **more: Any) -> dict[str, Any]:
    """The audit rows' detail: read through FHIR, with which token."""
    return {"via": "fhir", "token": token_of(request).prefix, **more}


def audit_patient_view(request: Any, patient_id: int) -> None:
    audit_record(actor=request.user, action="patient.view", object_type="patients.patient", object_id=patient_id,
                 patient_id=patient_id, detail=via(request))  # fmt: skip


def _authenticate(request: HttpRequest) -> None:
    if _AUTH(request) is None:
        raise FhirError(401, UNAUTHENTICATED_TEXT, "login")


def fhir_view(
    *methods: str, public: bool = False
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """A `/fhir/` view: token-authenticated (unless public), the methods it takes, errors as OperationOutcome."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @csrf_exempt  # a bearer token in a header, no cookie: nothing for a forged form to ride on
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                if not public:
                    _authenticate(request)
                if request.method not in methods:
                    allowed = ", ".join(methods)
                    return error_response(405, f"This address takes {allowed} only.", "not-supported", Allow=allowed)
                return view(request, *args, **kwargs)
            except FhirError as error:
                bearer = {"WWW_Authenticate": 'Bearer realm="dryneedling"'} if error.status == 401 else {}
                return error_response(error.status, error.text, error.code, **bearer)
            except RateLimited as limited:
                wait, limit = limited.decision.retry_after, limited.decision.limit
                text = f"Too many requests with this token: wait {wait} s (at most {limit} a window)."
                return error_response(429, text, "throttled", Retry_After=str(wait))
            except PermissionDenied as refused:
                text = str(refused) or "Your roles do not allow this."
                record_refusal(request=request, reason=text)
                return error_response(403, text, "forbidden")
            except Http404 as missing:
                return error_response(404, str(missing) or NOT_FOUND_TEXT, "not-found")
            except ValidationError as invalid:
                return error_response(400, " ".join(invalid.messages), "invalid")

        return wrapped

    return decorate


@fhir_view("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
def no_route(request: HttpRequest, rest: str) -> HttpResponse:
    """An address under `/fhir/` that no route takes: a FHIR client reads an OperationOutcome, not the
    site's HTML 404 page."""
    raise FhirError(404, "This server has no such address; see GET /fhir/metadata.", "not-found")
