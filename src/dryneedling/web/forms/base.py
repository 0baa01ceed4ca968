"""The base of every form in the web layer: free text is checked by one rule, whatever the form.

Each text field (CharField and its subclasses: email, slug, ...) gets the control-character
validator of dryneedling.clinical.text when the form is cleaned, so fields a form adds in its
``__init__`` are covered too. A textarea may hold tab and newlines; a one-line input may not.
tests/web/test_free_text.py checks that every form class in web/forms*.py derives from here.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from dryneedling.patients.validation import validate_free_text


def _checker(*, multiline: bool) -> Any:
    check = partial(validate_free_text, multiline=multiline)
    check.free_text_rule = True  # type: ignore[attr-defined]
    return check


def check_free_text(form: forms.BaseForm) -> None:
    """Give every text field of ``form`` the free-text validator (once)."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField):
            continue
        if any(getattr(v, "free_text_rule", False) for v in field.validators):
            continue
        field.validators.append(_checker(multiline=isinstance(field.widget, forms.Textarea)))


class FreeTextMixin:
    def full_clean(self) -> None:
        check_free_text(self)  # type: ignore[arg-type]
        super().full_clean()  # type: ignore[misc]


class Form(FreeTextMixin, forms.Form):
    """Use instead of django.forms.Form."""


class DateRangeForm(Form):
    """A filter form with optional `date_from` and `date_to`: an end before the start is a field error."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date comes before the start date.")
        return data


class SignInForm(FreeTextMixin, AuthenticationForm):
    """Django's sign-in form with the same check."""


# ---- selects rendered in one pass (issue 14) ------------------------------------------------------


def _attrs_html(attrs: dict[str, Any]) -> str:
    """As Django's widgets/attrs.html: `name="value"`, a bare name for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        elif value is not False:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


class QuickSelect(forms.Select):
    """Django's Select, with the markup of its templates written in Python: Django includes a
    template per <option>, and the point form's muscle, member and finding lists made that most of
    the cost of recording a point (issue 14, the profile in docs/decisions.md)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(format_html('<optgroup label="{}">', group_name))
            html.extend(
                f'<option value="{conditional_escape(str(option["value"]))}"{_attrs_html(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>"
                for option in options
            )
            if group_name:
                html.append("</optgroup>")
        html.append("</select>")
        return mark_safe("\n".join(html))  # noqa: S308  # every part escaped above


def quick_selects(form: forms.BaseForm) -> None:
    """Render the form's plain selects with `QuickSelect` (same markup, no template per option)."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget.__class__ = QuickSelect
