"""Reading the file: UTF-8 (with or without the BOM spreadsheet programs write), the delimiter
sniffed (comma, semicolon, tab or bar), the first non-empty row the headers. Every problem of the
file as a whole is a `CsvRefused` with one sentence; problems of single rows are the rows'."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
DELIMITERS = ",;\t|"


class CsvRefused(ValueError):
    """The file cannot be imported as a whole; the message says why and what to do."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (the row's number in a spreadsheet: the headers are row 1, cells)


def size_problem(size: int) -> str | None:
    if size > MAX_BYTES:
        return f"The file is {size / 1024 / 1024:.1f} MB; a CSV import may be at most {MAX_BYTES // 1024 // 1024} MB."
    return None


def read_table(data: bytes) -> Table:
    problem = size_problem(len(data))
    if problem:
        raise CsvRefused(problem)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRefused(
            "The file is not UTF-8 text: save it again as “CSV UTF-8” (an Excel workbook cannot be read here)."
        ) from None
    if "\x00" in text:
        raise CsvRefused("The file holds binary data: export it as CSV, not as an Excel workbook.")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise CsvRefused("The file is empty.")
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    try:
        # Only the delimiter is sniffed: the quoting is always Excel's (" doubled inside quotes), as
        # Jane, Cliniko and spreadsheets write it. A sniffed quote character or doublequote setting,
        # guessed from the first lines alone ('Bob' in a note), split or mangled later rows' cells.
        records = list(csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter))
    except csv.Error as error:
        raise CsvRefused(f"The file is not valid CSV: {error}.") from None
    numbered = [(number, cells) for number, cells in enumerate(records, start=1) if any(c.strip() for c in cells)]
    if not numbered:
        raise CsvRefused("The file is empty.")
    (_, headers), *rows = numbered
    headers = [h.strip() for h in headers]
    if len(rows) > MAX_ROWS:
        raise CsvRefused(f"The file has {len(rows)} rows; import at most {MAX_ROWS} at a time (split the file).")
    if not rows:
        raise CsvRefused("The file has headers but no rows.")
    return Table(headers=headers, rows=[(n, [c.strip() for c in cells]) for n, cells in rows])
