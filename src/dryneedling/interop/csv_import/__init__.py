"""CSV import of patients and appointments from Jane App and Cliniko exports (issue 13).

parse (the file) -> columns (headers by name, the source) -> dates (the day/month order of each
column) -> rows (the plan: each row read into our fields) -> service (preview or import, all or
nothing, through the apps' services) -> uploads (the browser's file between preview and import).
docs/csv-import.md describes the formats and where their column names were found.
"""

from __future__ import annotations

from dryneedling.interop.csv_import.columns import SOURCE_LABELS, SOURCES
from dryneedling.interop.csv_import.dates import DMY, MDY, ORDER_LABELS
from dryneedling.interop.csv_import.parse import MAX_BYTES, CsvRefused
from dryneedling.interop.csv_import.rows import AUTO, plan_file
from dryneedling.interop.csv_import.service import STATUS_LABELS, Report, RowResult, run
from dryneedling.interop.csv_import.uploads import (
    csv_upload_get,
    csv_upload_import,
    csv_upload_preview,
    csv_upload_store,
)

__all__ = [
    "AUTO",
    "DMY",
    "MAX_BYTES",
    "MDY",
    "ORDER_LABELS",
    "SOURCES",
    "SOURCE_LABELS",
    "STATUS_LABELS",
    "CsvRefused",
    "Report",
    "RowResult",
    "csv_upload_get",
    "csv_upload_import",
    "csv_upload_preview",
    "csv_upload_store",
    "plan_file",
    "run",
]
