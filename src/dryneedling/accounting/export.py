"""The accounting export: the clinic's charges and payments between two dates as CSV (issue 11).

One row per charge and per payment, money as plain decimals. A cell a spreadsheet would read as a
formula (starting with = + - @, or a tab or carriage return) is prefixed with ' (OWASP, "CSV
Injection"). Amounts are written by the code, never from typed text, so only names and references
can start that way; a payment's amount is positive, a charge's never negative."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from dryneedling.accounting.models import Charge, Payment
from dryneedling.clinical.text import spreadsheet_cell
from dryneedling.treatment.models import Payer

HEADER = (
    "date",
    "type",
    "patient",
    "mrn",
    "cpt",
    "units",
    "payer",
    "method",
    "reference",
    "charge",
    "payment",
    "void",
)


def safe_cell(value: object) -> str:
    """Every ledger cell as text a spreadsheet will not run (amounts included: they are written as text)."""
    return str(spreadsheet_cell("" if value is None else str(value)))


def _rows(charges: Iterable[Charge], payments: Iterable[Payment]) -> list[tuple[date, int, list[object]]]:
    rows: list[tuple[date, int, list[object]]] = []
    for c in charges:
        rows.append(
            (
                c.service_date,
                0,
                [
                    c.service_date,
                    "charge",
                    c.patient.display_name,
                    c.patient.mrn,
                    c.code,
                    c.units,
                    Payer(c.payer).label,
                    "",
                    "",
                    c.amount,
                    "",
                    "",
                ],
            )
        )
    for p in payments:
        void = f"void: {p.void_reason}" if p.voided_at is not None else ""
        rows.append(
            (
                p.received_on,
                1,
                [
                    p.received_on,
                    "payment",
                    p.patient.display_name,
                    p.patient.mrn,
                    "",
                    "",
                    "",
                    Payment.Method(p.method).label,
                    p.reference,
                    "",
                    p.amount,
                    void,
                ],
            )
        )
    return sorted(rows, key=lambda r: (r[0], r[1]))


def ledger_csv(charges: Iterable[Charge], payments: Iterable[Payment]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for when, _, cells in _rows(charges, payments):
        writer.writerow([safe_cell(when.isoformat())] + [safe_cell(v) for v in cells[1:]])
    return out.getvalue()
