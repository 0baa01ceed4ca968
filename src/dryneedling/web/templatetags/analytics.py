"""Numbers of the analytics page: a proportion as a percentage, a change with its sign."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


@register.filter
def signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}".replace("-", "−")
