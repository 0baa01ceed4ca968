"""The public education PDF (no login, ~0.45 s of CPU a render) is rendered once per clinic,
clinic name, knowledge version, consent version and fee schedule, then served from the cache
(issue 9: 12 parallel requests pushed /healthz to 6.4 s)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache

from dryneedling.web.views.followup import homecare as views_homecare

pytestmark = pytest.mark.django_db
URL = "/learn/clinic-a/dry-needling.pdf"


@pytest.fixture
def renders(monkeypatch):  # type: ignore[no-untyped-def]
    cache.clear()
    calls: list[str] = []
    real = views_homecare.render_pdf

    def counting(template, context, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(context["clinic"].slug)
        return real(template, context, **kwargs)

    monkeypatch.setattr(views_homecare, "render_pdf", counting)
    yield calls
    cache.clear()


def _get(client) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_education_pdf_is_rendered_once(anon_client, clinic_a, renders):
    first = _get(anon_client)
    assert _get(anon_client) == first
    assert renders == ["clinic-a"]


def test_a_fee_change_renders_it_again(anon_client, dana, renders):
    from dryneedling.treatment.services.fees import fee_set

    _get(anon_client)
    fee_set(actor=dana, code="20560", amount=Decimal("95.00"))
    _get(anon_client)
    _get(anon_client)
    assert renders == ["clinic-a", "clinic-a"]


def test_a_logo_change_renders_it_again_with_the_logo(anon_client, dana, renders):
    from dryneedling.accounts.logo import clinic_logo_remove, clinic_logo_set
    from tests.images import image_bytes
    from tests.treatment.test_pdf_logo import pdf_image_count

    assert pdf_image_count(_get(anon_client)) == 0
    clinic_logo_set(actor=dana, data=image_bytes())
    assert pdf_image_count(_get(anon_client)) == 1
    clinic_logo_remove(actor=dana)
    assert pdf_image_count(_get(anon_client)) == 0
    assert renders == ["clinic-a", "clinic-a"]  # without the logo again: the first copy, from the cache


def test_each_clinic_and_consent_version_has_its_own_copy(anon_client, clinic_a, clinic_b, renders, monkeypatch):
    _get(anon_client)
    assert anon_client.get("/learn/clinic-b/dry-needling.pdf").status_code == 200
    assert renders == ["clinic-a", "clinic-b"]
    monkeypatch.setattr(views_homecare, "CONSENT_VERSION", "2099.01-1")
    _get(anon_client)
    assert renders == ["clinic-a", "clinic-b", "clinic-a"]
