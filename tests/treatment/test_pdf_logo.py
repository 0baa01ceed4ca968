"""The clinic's logo at the top of its PDFs (issue 10): embedded as an image XObject of the PDF
(read with pypdf), from a data: URI only the renderer was handed; nothing is fetched."""

# ruff: noqa: F811
from __future__ import annotations

import base64
from io import BytesIO

import pytest

from dryneedling.accounts.logo import clinic_logo_set
from dryneedling.treatment.pdf import StaticOnlyFetcher, html_to_pdf
from tests.images import image_bytes
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)


def pdf_image_count(data: bytes) -> int:
    """The distinct image XObjects (/Subtype /Image) the PDF's pages draw (pages share them)."""
    from pypdf import PdfReader

    assert data.startswith(b"%PDF-")
    found = set()
    for page in PdfReader(BytesIO(data)).pages:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        for ref in (xobjects.get_object() if xobjects is not None else {}).values():
            if ref.get_object().get("/Subtype") == "/Image":
                found.add(getattr(ref, "idnum", id(ref)))
    return len(found)


def _uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def test_only_the_data_uri_handed_to_the_fetcher_is_read():
    trusted, other = _uri(image_bytes(40, 20)), _uri(image_bytes(30, 30))
    fetcher = StaticOnlyFetcher(trusted=(trusted,))
    pdf = html_to_pdf(f'<p>x</p><img src="{trusted}"><img src="{other}">', fetcher=fetcher)
    assert pdf_image_count(pdf) == 1
    assert fetcher.refused == [other[:80]]


@pytest.mark.django_db
def test_the_superbill_pdf_prints_the_logo_once_one_is_set(alice, dana, alice_client, ready_episode):
    from tests.followup.test_services import complete_session
    from tests.treatment.conftest import sign_note

    session = sign_note(alice, complete_session(alice, ready_episode))  # a signed session has a superbill
    url = f"/sessions/{session.pk}/superbill.pdf"
    assert pdf_image_count(alice_client.get(url).content) == 0
    clinic_logo_set(actor=dana, data=image_bytes(300, 100))
    assert pdf_image_count(alice_client.get(url).content) == 1
    page = alice_client.get(f"/sessions/{session.pk}/superbill/").content.decode()
    assert 'class="clinic-logo" src="/clinic/logo?v=' in page  # the staff page: the served image


@pytest.mark.django_db
def test_the_home_care_pdf_prints_the_logo(alice, dana, anon_client, ready_episode):
    from urllib.parse import urlsplit

    from dryneedling.followup.homecare import home_care_link, home_care_plan_create
    from tests.followup.test_services import complete_session

    complete_session(alice, ready_episode)
    plan = home_care_plan_create(actor=alice, episode=ready_episode)
    url = urlsplit(home_care_link(plan)).path + "plan.pdf"
    assert pdf_image_count(anon_client.get(url).content) == 0
    clinic_logo_set(actor=dana, data=image_bytes(kind="JPEG"))
    assert pdf_image_count(anon_client.get(url).content) == 1
