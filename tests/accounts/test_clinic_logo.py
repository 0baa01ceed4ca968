"""The clinic's logo (issue 10): PNG or JPEG only, recognised from the bytes, bounded in size and
pixels, re-encoded without metadata, audited; the page is the clinic admin's, the image any member's."""

from __future__ import annotations

import hashlib
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dryneedling.accounts.logo import MAX_BYTES, clinic_logo_remove, clinic_logo_set, logo_clean
from dryneedling.accounts.models import AuditEvent, ClinicLogo
from tests.conftest import csrf_token
from tests.images import SVG, image_bytes

pytestmark = pytest.mark.django_db


def _message(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.message_dict["logo"])


def test_png_and_jpeg_are_taken_and_saved_again_without_metadata():
    png = logo_clean(image_bytes(300, 100))
    assert (png.content_type, png.width, png.height) == ("image/png", 300, 100)
    from PIL import Image

    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    jpeg = logo_clean(image_bytes(64, 64, kind="JPEG", exif=exif.tobytes()) + b"trailing payload")
    assert jpeg.content_type == "image/jpeg"
    assert b"secret description" not in jpeg.content and b"trailing payload" not in jpeg.content
    with Image.open(BytesIO(jpeg.content)) as again:
        assert again.format == "JPEG" and not again.getexif()


@pytest.mark.parametrize(
    "data, words",
    [
        (SVG, "SVG is not accepted"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG is not accepted"),
        (image_bytes(kind="GIF"), "PNG or JPEG"),
        (b"MZ\x90\x00 not an image", "PNG or JPEG"),
        (b"", "empty"),
        (image_bytes()[:60], "could not be read"),  # a PNG cut short
        (image_bytes(2001, 20), "2001x20 pixels"),
        (image_bytes(8, 8), "16 to 2000 pixels"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_BYTES, "at most 512 KB"),
    ],
)
def test_anything_else_is_refused_with_a_reason(data, words):
    with pytest.raises(ValidationError) as error:
        logo_clean(data)
    assert words in _message(error)


def test_the_content_decides_not_the_name(dana_client):
    """A PNG called logo.svg is a PNG; an SVG called logo.png is refused as SVG."""
    url = "/clinic/settings/logo/"
    token = csrf_token(dana_client, url)
    bad = SimpleUploadedFile("logo.png", SVG, content_type="image/png")
    page = dana_client.post(url, {"csrfmiddlewaretoken": token, "logo": bad})
    assert page.status_code == 200 and "SVG is not accepted" in page.content.decode()
    assert not ClinicLogo.objects.exists()
    good = SimpleUploadedFile("logo.svg", image_bytes(), content_type="image/svg+xml")
    assert dana_client.post(url, {"csrfmiddlewaretoken": token, "logo": good}).status_code == 302
    assert ClinicLogo.objects.get().content_type == "image/png"


def test_set_replace_and_remove_are_audited_with_digests(dana):
    first = clinic_logo_set(actor=dana, data=image_bytes(100, 50))
    second = clinic_logo_set(actor=dana, data=image_bytes(200, 50))
    assert ClinicLogo.objects.count() == 1 and second.pk == first.pk
    assert second.sha256 == hashlib.sha256(bytes(second.content)).hexdigest()
    clinic_logo_remove(actor=dana)
    assert not ClinicLogo.objects.exists()
    events = list(AuditEvent.objects.filter(action__startswith="clinic.logo.").order_by("id"))
    assert [e.action for e in events] == ["clinic.logo.set", "clinic.logo.set", "clinic.logo.remove"]
    assert events[0].detail["before"] is None and events[0].detail["after"] == first.sha256
    assert events[1].detail["before"] == first.sha256 and events[1].detail["after"] == second.sha256
    assert events[2].detail == {"before": second.sha256, "after": None}
    with pytest.raises(ValidationError, match="no logo"):
        clinic_logo_remove(actor=dana)


def test_only_a_clinic_admin_changes_the_logo(alice, bob):
    for actor in (alice, bob):
        with pytest.raises(PermissionDenied, match="Only a clinic admin"):
            clinic_logo_set(actor=actor, data=image_bytes())
        with pytest.raises(PermissionDenied):
            clinic_logo_remove(actor=actor)


def test_the_page_uploads_previews_and_removes(dana_client):
    url = "/clinic/settings/logo/"
    assert "No logo yet" in dana_client.get(url).content.decode()
    token = csrf_token(dana_client, url)
    upload = SimpleUploadedFile("logo.png", image_bytes(), content_type="image/png")
    page = dana_client.post(url, {"csrfmiddlewaretoken": token, "logo": upload}, follow=True)
    body = page.content.decode()
    assert "Logo saved" in body and 'src="/clinic/logo?v=' in body
    image = dana_client.get("/clinic/logo")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff" and image.content.startswith(b"\x89PNG")
    gone = dana_client.post("/clinic/settings/logo/remove/", {"csrfmiddlewaretoken": token}, follow=True)
    assert "Logo removed" in gone.content.decode()
    assert dana_client.get("/clinic/logo").status_code == 404


def test_an_oversized_upload_is_refused_before_it_is_read(dana_client):
    url = "/clinic/settings/logo/"
    token = csrf_token(dana_client, url)
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_BYTES, content_type="image/png")
    page = dana_client.post(url, {"csrfmiddlewaretoken": token, "logo": big})
    assert page.status_code == 200 and "a logo may be at most 512 KB" in page.content.decode()


def test_members_see_their_own_clinics_logo_only(dana, bob_client, carol_client, alice_client):
    clinic_logo_set(actor=dana, data=image_bytes())
    assert bob_client.get("/clinic/logo").status_code == 200
    assert alice_client.get("/clinic/logo").status_code == 200
    assert carol_client.get("/clinic/logo").status_code == 404  # clinic B has none; A's is not hers


def test_non_admins_are_told_why(alice_client):
    page = alice_client.get("/clinic/settings/logo/")
    assert page.status_code == 403 and "Only a clinic admin" in page.content.decode()
