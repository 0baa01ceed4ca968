"""The data dictionary of the research export, generated from the tables and the models they read:
each column's type, the model field it comes from, that field's description and allowed values,
and how it was de-identified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dryneedling.reports.research.tables import TABLES, field_of, source_label

INTRO = (
    "De-identified under HIPAA Safe Harbor (45 CFR 164.514(b)(2)): no names, contact details, addresses, "
    "record numbers, member ids or free text. Keys are pseudonyms valid inside this export only. Dates are "
    "shifted by a random per-patient offset of 1-182 days; intervals within a patient's record are kept. "
    "Ages over 89 are reported as 90. ZIP codes are cut to 3 digits (000 for small areas)."
)


def dictionary() -> dict[str, Any]:
    tables = []
    for table in TABLES:
        columns = []
        for column in table.columns:
            field = field_of(column)
            described = str(field.help_text or field.verbose_name) if field is not None else ""
            choices = [str(value) for value, _ in field.choices] if field is not None and field.choices else []
            columns.append(
                {
                    "name": column.name,
                    "type": column.kind,
                    "source": source_label(column),
                    "description": column.note or described,
                    "field_description": described,
                    "allowed_values": choices,
                }
            )
        tables.append({"name": table.name, "description": table.description, "columns": columns})
    return {"about": INTRO, "tables": tables}


def _markdown(data: dict[str, Any]) -> str:
    lines = ["# Research export: data dictionary", "", data["about"], ""]
    for table in data["tables"]:
        lines += [
            f"## {table['name']}",
            "",
            table["description"],
            "",
            "| Column | Type | From | Description | Values |",
        ]
        lines.append("|---|---|---|---|---|")
        for c in table["columns"]:
            text = c["description"].replace("|", "\\|")
            lines.append(f"| {c['name']} | {c['type']} | {c['source']} | {text} | {', '.join(c['allowed_values'])} |")
        lines.append("")
    return "\n".join(lines)


def write_dictionary(out: Path) -> None:
    data = dictionary()
    (out / "data_dictionary.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (out / "data_dictionary.md").write_text(_markdown(data), encoding="utf-8")
