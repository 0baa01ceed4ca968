"""PDFs from templates through WeasyPrint. The app's own static files are read from disk; every
other resource (file paths elsewhere, http, data) is refused, so a URL in a template or in text a
user typed can neither read the server's files nor reach the network."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcher


def _static_roots() -> tuple[Path, ...]:
    roots = [Path(d).resolve() for d in getattr(settings, "STATICFILES_DIRS", [])]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return tuple(roots)


class StaticOnlyFetcher(URLFetcher):
    """Fetches `file://` URLs inside the app's static directories; refuses everything else.

    A refused resource raises ValueError, which WeasyPrint reports and skips: the PDF still renders.
    """

    refused: list[str]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allowed_protocols=("file",), **kwargs)
        self.refused = []

    def fetch(self, url: str, headers: Any = None) -> Any:
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


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_to_string(template, context))
