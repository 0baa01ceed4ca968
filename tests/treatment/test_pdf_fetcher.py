"""PDF rendering refuses every resource but the app's own static files (issue 9)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from dryneedling.treatment.pdf import StaticOnlyFetcher, html_to_pdf


def test_local_files_and_the_network_are_refused_and_the_pdf_still_renders():
    fetcher = StaticOnlyFetcher()
    html = (
        '<p>Superbill</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
        '<link rel="stylesheet" href="file:///etc/shadow">'
    )
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF-")
    assert {"file:///etc/passwd", "file:///etc/shadow", "http://127.0.0.1:9/x.png"} <= set(fetcher.refused)


def test_the_apps_own_static_files_are_read():
    static = Path(settings.STATICFILES_DIRS[0]) / "dryneedling" / "print.css"
    fetcher = StaticOnlyFetcher()
    response = fetcher.fetch(static.resolve().as_uri())
    assert response is not None and not fetcher.refused
