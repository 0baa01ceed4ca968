"""PDFs from templates through WeasyPrint. Static files are read from disk, never fetched."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


def _no_network(url: str) -> dict[str, Any]:
    raise ValueError(f"PDF rendering does not fetch {url[:60]!r}")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template, context)
    stylesheet = finders.find("dryneedling/print.css")
    styles = [CSS(filename=stylesheet)] if stylesheet else []
    return HTML(string=html, url_fetcher=_no_network).write_pdf(stylesheets=styles)
