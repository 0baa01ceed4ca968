"""The clinic analytics' filters: every field optional; a bad value is reported next to it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator

from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.reports.analytics.filters import regions
from dryneedling.web.forms.base import DateRangeForm
from dryneedling.web.forms.patients import DATE_WIDGET

ICD10 = RegexValidator(
    r"^[A-Za-z][0-9][0-9A-Za-z](\.?[0-9A-Za-z]{1,4})?$", "Enter an ICD-10-CM code, e.g. M79.1 or M54."
)


class AnalyticsFilterForm(DateRangeForm):
    condition = forms.ChoiceField(label="Condition", required=False)
    icd10 = forms.CharField(label="ICD-10 code", max_length=8, required=False, validators=[ICD10])
    region = forms.ChoiceField(label="Muscle region", required=False)
    clinician = forms.TypedChoiceField(label="Clinician", coerce=int, empty_value=None, required=False)
    date_from = forms.DateField(label="From", required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label="To", required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, clinicians: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        conditions = sorted((c.id, c.name) for c in get_knowledge().conditions.values())
        kb = sorted(conditions, key=lambda c: c[1])
        self.fields["condition"].choices = [("", "All conditions"), *kb]  # type: ignore[attr-defined]
        named = [(r, r.replace("_", " ")) for r in regions()]
        self.fields["region"].choices = [("", "All regions"), *named]  # type: ignore[attr-defined]
        self.fields["clinician"].choices = [("", "All clinicians"), *clinicians]  # type: ignore[attr-defined]

    def clean_icd10(self) -> str:
        return str(self.cleaned_data.get("icd10") or "").upper()
