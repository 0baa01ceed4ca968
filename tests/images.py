"""Small images made in memory for the logo tests (issue 10)."""

from __future__ import annotations

from io import BytesIO


def image_bytes(width: int = 120, height: int = 60, *, kind: str = "PNG", **save: object) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (11, 110, 105))
    out = BytesIO()
    image.save(out, format=kind, **save)
    return out.getvalue()


SVG = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><text>&x;</text></svg>'
