"""The clinic's logo (issue 10): what an upload must be, and the clinic admin's writes.

Only PNG and JPEG are taken, recognised from their bytes (never from the file name or the type the
browser claims), at most MAX_BYTES and MAX_SIDE pixels a side (read from the header before any
pixel is decoded, so a small file cannot unpack into a huge bitmap). The image is then decoded in
full and written again by Pillow: the stored bytes are a plain image with no metadata (camera
EXIF, GPS, comments) and nothing appended after it. SVG is refused: it is an XML document that can
carry scripts, external references and entity expansion (XXE) into the browser and the PDF
renderer (docs/decisions.md, "issue 10 — clinic logo").
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db import transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import ClinicLogo, User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require

MAX_BYTES = 512 * 1024
MAX_SIDE = 2000  # pixels; a logo is printed about 2 cm high
MIN_SIDE = 16
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}

WRONG_TYPE = "Upload a PNG or JPEG image."
SVG_REFUSED = (
    "SVG is not accepted: an SVG file can carry scripts and references to other files. "
    "Export the logo as PNG or JPEG and upload that."
)


@dataclass(frozen=True)
class CleanLogo:
    content: bytes
    content_type: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


_strict = threading.Lock()


@contextmanager
def _truncated_images_refused() -> Iterator[None]:
    """WeasyPrint switches on Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is imported (it
    renders what it can). An upload must decode in full, so the flag is off while one is checked;
    the lock keeps two checks from restoring each other's value."""
    from PIL import ImageFile

    with _strict:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _refuse(message: str) -> ValidationError:
    return ValidationError({"logo": message})


def _sniff(data: bytes) -> str:
    """The format the bytes say they are: PNG or JPEG; anything else is refused in words."""
    if data.startswith(PNG_MAGIC):
        return "PNG"
    if data.startswith(JPEG_MAGIC):
        return "JPEG"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head:
        raise _refuse(SVG_REFUSED)
    raise _refuse(WRONG_TYPE + " This file is neither (its content was checked, not its name).")


def logo_clean(data: bytes) -> CleanLogo:
    """The upload as a clean PNG or JPEG, or a ValidationError on `logo` that says what is wrong."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise _refuse("The file is empty. " + WRONG_TYPE)
    if len(data) > MAX_BYTES:
        raise _refuse(f"The file is {len(data) // 1024} KB; a logo may be at most {MAX_BYTES // 1024} KB.")
    kind = _sniff(data)
    try:
        with _truncated_images_refused(), Image.open(BytesIO(data), formats=[kind]) as image:
            width, height = image.size
            if max(width, height) > MAX_SIDE or min(width, height) < MIN_SIDE:
                raise _refuse(
                    f"The image is {width}x{height} pixels; a logo is {MIN_SIDE} to {MAX_SIDE} pixels a side."
                )
            image.load()  # decode every pixel: a truncated or corrupt file fails here
            if kind == "PNG":
                clean = image if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else image.convert("RGBA")
            else:
                clean = image if image.mode in ("L", "RGB") else image.convert("RGB")
            out = BytesIO()
            clean.save(out, format=kind, **({"quality": 90} if kind == "JPEG" else {}))
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _refuse(f"This {kind} file could not be read: it may be damaged. Export it again.") from None
    return CleanLogo(content=out.getvalue(), content_type=FORMATS[kind], width=width, height=height)


@transaction.atomic
def clinic_logo_set(*, actor: User, data: bytes) -> ClinicLogo:
    """Replace the clinic's logo (a clinic admin only). Audited with the digests before and after."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    clean = logo_clean(data)
    current = ClinicLogo.objects.select_for_update().filter(clinic_id=membership.clinic_id).first()
    before = current.sha256 if current is not None else None
    logo, _ = ClinicLogo.objects.update_or_create(
        clinic_id=membership.clinic_id,
        defaults={
            "content": clean.content,
            "content_type": clean.content_type,
            "width": clean.width,
            "height": clean.height,
            "sha256": clean.sha256,
        },
    )
    audit_record(
        actor=actor,
        action="clinic.logo.set",
        clinic=membership.clinic,
        obj=logo,
        detail={"before": before, "after": clean.sha256, "type": clean.content_type, "size": len(clean.content)},
    )
    return logo


@transaction.atomic
def clinic_logo_remove(*, actor: User) -> None:
    """Remove the clinic's logo: its PDFs print without one (a clinic admin only)."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    current = ClinicLogo.objects.select_for_update().filter(clinic_id=membership.clinic_id).first()
    if current is None:
        raise ValidationError("The clinic has no logo to remove.")
    pk, before = current.pk, current.sha256
    current.delete()
    audit_record(
        actor=actor,
        action="clinic.logo.remove",
        clinic=membership.clinic,
        object_type="accounts.cliniclogo",
        object_id=pk,
        detail={"before": before, "after": None},
    )
