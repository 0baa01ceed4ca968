"""Responses to signed-in users carry patient data: no browser or proxy may keep a copy.

Front-desk computers are shared; a page left in the browser's cache (or its back button) shows
the previous user's patients. Every response to an authenticated request gets
``Cache-Control: no-store, private`` (pages, htmx partials, PDFs, SVGs), merged with what the
view set. Static files never reach this (whitenoise answers them first).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateResponseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
