"""The command line's interoperability commands (issue 13): `dryneedling fhir export|import` and
`dryneedling import-csv`. Kept apart from `cli.py`, which wires them in through `register`; each
command's parser and handler sit in their own function, and the work itself is in the apps."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    fhir = sub.add_parser("fhir", help="FHIR R4B: export the clinic as NDJSON, import Bundles and NDJSON")
    actions = fhir.add_subparsers(dest="fhir_command", required=True, parser_class=parser_class)
    _register_fhir_export(actions)
    _register_fhir_import(actions)
    _register_import_csv(sub)


def _register_fhir_export(actions: Any) -> None:
    """`dryneedling fhir export --out DIR [--clinic SLUG] [--type T,T] [--since ISO]`."""
    p = actions.add_parser("export", help="the clinic's records as FHIR R4B NDJSON, one file per resource type")
    p.add_argument("--out", required=True, help="a new or empty directory")
    p.add_argument("--clinic", help="clinic slug (needed when the database has several clinics)")
    p.add_argument("--type", dest="types", help="only these resource types, comma-separated (e.g. Patient,Procedure)")
    p.add_argument("--since", help="only records changed after this moment (ISO 8601; UTC unless it has an offset)")
    p.set_defaults(func=cmd_fhir_export)


def cmd_fhir_export(args: argparse.Namespace) -> int:
    """Write the export and print a JSON summary (counts per type, seconds, resources/s)."""
    import json
    import os
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dryneedling.settings")
    import django

    django.setup()
    from dryneedling.fhir.export import export_ndjson

    result = export_ndjson(
        clinic=_one_clinic(args.clinic),
        out=Path(args.out),
        types=args.types.split(",") if args.types else None,
        since=_moment(args.since) if args.since else None,
    )
    rate = round(result.total / result.seconds) if result.seconds else None
    summary = {"out": str(result.out), "counts": result.counts, "total": result.total}
    print(json.dumps({**summary, "seconds": round(result.seconds, 2), "resources_per_s": rate}))
    return 0


def _one_clinic(slug: str | None) -> Any:
    """The clinic named, or the database's only clinic (ValidationError: one line, exit 2)."""
    from django.core.exceptions import ValidationError

    from dryneedling.accounts.models import Clinic

    if slug:
        clinic = Clinic.objects.filter(slug=slug).first()
        if clinic is None:
            raise ValidationError(f"no clinic with slug {slug!r} (see `dryneedling createclinic`)")
        return clinic
    clinics = list(Clinic.objects.order_by("slug")[:2])
    if len(clinics) != 1:
        raise ValidationError(
            "name the clinic with --clinic SLUG (this database has " + ("no clinic)" if not clinics else "several)")
        )
    return clinics[0]


def _moment(text: str) -> Any:
    """An ISO 8601 date or date-time; without an offset, UTC."""
    from datetime import UTC, datetime

    from django.core.exceptions import ValidationError

    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"--since {text!r} is not an ISO 8601 date or date-time (e.g. 2025-01-31T12:00:00Z)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _register_fhir_import(actions: Any) -> None:
    """`dryneedling fhir import FILE|DIR` (the fhir-import work fills this in)."""


def _register_import_csv(sub: Any) -> None:
    """`dryneedling import-csv` (the CSV-import work fills this in)."""
