"""Home-care plan display: an item's drawing (an SVG template keyed by its id) and a source in words."""

from __future__ import annotations

import re

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_ID = re.compile(r"^[a-z0-9_]{1,100}$")


@register.simple_tag
def illustration(item_id: object) -> SafeString:
    """The project's drawing for a library item (``homecare/illustrations/<id>.svg``), inline so the
    page and the PDF embed it; nothing for an item without one (the clinician's note, a custom item)."""
    key = str(item_id)
    if not _ID.match(key):
        return mark_safe("")
    try:
        svg = get_template(f"homecare/illustrations/{key}.svg").render({})
    except template.TemplateDoesNotExist:
        return mark_safe("")
    return mark_safe(svg)  # noqa: S308  (a project file with no variables)


@register.filter
def citation(source_id: object) -> str:
    """A source id as its citation in words (the id itself if unknown)."""
    from dryneedling.clinical.homecare import get_homecare

    src = get_homecare().sources.get(str(source_id))
    return src.citation if src else str(source_id)
