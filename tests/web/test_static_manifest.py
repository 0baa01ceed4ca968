"""Production serves static files through a manifest that `collectstatic` writes (issue 14, found at
scale): before it runs, /healthz said ok while every page 500'd on the missing manifest entry.
Now /healthz says unavailable (and logs why), and pages render with the files' plain names."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import storages
from django.test import override_settings
from django.utils.functional import empty

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "dryneedling.web.static_storage.StaticStorage"},
}


@pytest.fixture
def production_static(tmp_path):  # type: ignore[no-untyped-def]
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=str(tmp_path)):
        storages._storages.clear()  # the storages are built once per setting: build them again
        staticfiles_storage._wrapped = empty  # type: ignore[attr-defined]
        yield tmp_path
    storages._storages.clear()
    staticfiles_storage._wrapped = empty  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_before_collectstatic_healthz_is_unavailable_and_says_why_in_the_log(anon_client, production_static, caplog):  # type: ignore[no-untyped-def]
    response = anon_client.get("/healthz")
    assert response.status_code == 503 and response.content.decode().strip() == "unavailable"
    assert any("collectstatic" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_before_collectstatic_pages_render_with_plain_names(anon_client, production_static):  # type: ignore[no-untyped-def]
    page = anon_client.get("/accounts/login/")
    assert page.status_code == 200
    assert b"/static/" in page.content


@pytest.mark.django_db
def test_after_collectstatic_healthz_is_ok_and_names_are_hashed(anon_client, production_static):  # type: ignore[no-untyped-def]
    manifest = {"paths": {"dryneedling/app.css": "dryneedling/app.0123456789ab.css"}, "version": "1.1", "hash": "x"}
    (production_static / "staticfiles.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert anon_client.get("/healthz").status_code == 200
    assert staticfiles_storage.url("dryneedling/app.css").endswith("dryneedling/app.0123456789ab.css")
