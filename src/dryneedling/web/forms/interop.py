"""Forms of the CSV import pages (issue 13): the upload, and the preview/import of an upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator

from dryneedling.interop.csv_import import AUTO, MAX_BYTES, ORDER_LABELS, SOURCE_LABELS
from dryneedling.interop.csv_import.parse import size_problem
from dryneedling.interop.models import CsvKind
from dryneedling.web.forms.base import Form

SOURCE_CHOICES = [(AUTO, "Tell from the column headers"), *SOURCE_LABELS.items()]
ORDER_CHOICES = [("", "Tell from the dates"), *ORDER_LABELS.items()]


class CsvOptionsForm(Form):
    source = forms.ChoiceField(label="Exported from", choices=SOURCE_CHOICES, initial=AUTO, required=False)
    date_order = forms.ChoiceField(
        label="Date order",
        choices=ORDER_CHOICES,
        required=False,
        help_text="Only needed when every date of a column could be read either way (e.g. 03/04/2025).",
    )

    def options(self) -> dict[str, Any]:
        return {"source": self.cleaned_data["source"] or AUTO, "date_order": self.cleaned_data["date_order"] or None}


class CsvUploadForm(CsvOptionsForm):
    """The file's size is checked before it is read; its content by the import."""

    file = forms.FileField(
        label="CSV file",
        help_text=f"The export saved as CSV (UTF-8), at most {MAX_BYTES // 1024 // 1024} MB.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Choose the CSV file to import.", "empty": "The file is empty."},
    )
    kind = forms.ChoiceField(label="The file holds", choices=CsvKind.choices, widget=forms.RadioSelect)
    field_order = ["file", "kind", "source", "date_order"]
    filename = ""

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        problem = size_problem(upload.size)
        if problem:
            raise forms.ValidationError(problem)
        self.filename = str(upload.name or "")
        return bytes(upload.read())


class CsvPreviewForm(CsvOptionsForm):
    """An upload named by its id and the SHA-256 of its content (a stale page cannot import another file)."""

    upload = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    sha = forms.CharField(
        min_length=64, max_length=64, widget=forms.HiddenInput, validators=[RegexValidator(r"^[0-9a-f]{64}$")]
    )
