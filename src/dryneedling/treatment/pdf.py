"""PDFs from templates through WeasyPrint. The app's own static files are read from disk, and the
clinic's logo is embedded as the one data: URI the renderer was handed; every other resource (file
paths elsewhere, http, other data: URIs) is refused, so a URL in a template or in text a user typed
can neither read the server's files nor reach the network."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcher, URLFetcherResponse

from dryneedling.accounts.models import ClinicLogo
from dryneedling.accounts.selectors import clinic_logo_of


def _static_roots() -> tuple[Path, ...]:
    roots = [Path(d).resolve() for d in getattr(settings, "STATICFILES_DIRS", [])]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return tuple(roots)


def logo_data_uri(logo: ClinicLogo) -> str:
    return f"data:{logo.content_type};base64,{base64.b64encode(bytes(logo.content)).decode('ascii')}"


class StaticOnlyFetcher(URLFetcher):
    """Fetches `file://` URLs inside the app's static directories and the data: URIs it was given
    (the clinic's logo, already checked on upload); refuses everything else.

    A refused resource raises ValueError, which WeasyPrint reports and skips: the PDF still renders.
    """

    refused: list[str]

    def __init__(self, *, trusted: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(allowed_protocols=("file",), **kwargs)
        self.refused = []
        self.trusted = frozenset(trusted)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url in self.trusted:  # decoded here, never through urllib
            mime, _, payload = url.removeprefix("data:").partition(";base64,")
            return URLFetcherResponse(url, base64.b64decode(payload), {"Content-Type": mime})
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or not any(path.is_relative_to(root) for root in _static_roots()):
            self.refused.append(url[:80])
            raise ValueError(f"PDF rendering does not fetch {url[:60]!r}")
        return super().fetch(url, headers)


def html_to_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    from weasyprint import CSS, HTML

    fetcher = fetcher or StaticOnlyFetcher()
    stylesheet = finders.find("dryneedling/print.css")
    styles = [CSS(filename=stylesheet, url_fetcher=fetcher)] if stylesheet else []
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=styles)


def render_pdf(template: str, context: dict[str, Any], *, clinic_id: int | None = None) -> bytes:
    """The template as a PDF. With `clinic_id`, the clinic's logo (if it has one) is in the context
    as `logo_src`, a data: URI the fetcher accepts: the PDF embeds it, nothing is fetched."""
    logo = clinic_logo_of(clinic_id=clinic_id) if clinic_id is not None else None
    src = logo_data_uri(logo) if logo is not None else ""
    html = render_to_string(template, {**context, "logo_src": src})
    return html_to_pdf(html, fetcher=StaticOnlyFetcher(trusted=(src,) if src else ()))
