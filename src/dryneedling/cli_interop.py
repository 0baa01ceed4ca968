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
    """`dryneedling fhir import FILE|DIR --user EMAIL [--clinic SLUG] [--clinician EMAIL] [--dry-run]`."""
    p = actions.add_parser(
        "import",
        help="import FHIR R4B Bundles or NDJSON (Patient, EpisodeOfCare, Condition, Observation, Appointment)",
    )
    p.add_argument("paths", nargs="+", metavar="FILE|DIR", help="Bundle .json or .ndjson files, or directories of them")
    p.add_argument("--user", required=True, help="the importing clinic admin or clinician (email)")
    p.add_argument("--clinic", help="the clinic's slug (refused unless it is the user's clinic)")
    p.add_argument("--clinician", help="book appointments whose Practitioner is no clinician here with this one")
    p.add_argument("--dry-run", action="store_true", help="check and count everything, write nothing")
    p.set_defaults(func=_cmd_fhir_import)


def _cmd_fhir_import(args: argparse.Namespace) -> int:
    """One JSON line per file on stdout; each failed file one line FILE:LINE: message on stderr, exit 2."""
    import json
    import os
    import sys
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dryneedling.settings")
    import django

    django.setup()
    from django.core.exceptions import PermissionDenied, ValidationError

    from dryneedling.accounts.models import Membership, User
    from dryneedling.interop.fhir_import import fhir_import

    user = User.objects.filter(email__iexact=args.user.strip(), is_active=True).first()
    if user is None:
        raise ValidationError(f"No active user with the email {args.user}.")
    if args.clinic and not Membership.objects.filter(user=user, clinic__slug=args.clinic).exists():
        raise ValidationError(f"{args.user} is not a member of the clinic {args.clinic}.")
    clinician = None
    if args.clinician:
        clinician = User.objects.filter(
            email__iexact=args.clinician.strip(),
            is_active=True,
            membership__is_clinician=True,
            membership__clinic__memberships__user=user,
        ).first()
        if clinician is None:
            raise ValidationError(f"{args.clinician} is not a clinician of this clinic.")
    try:
        results = fhir_import([Path(p) for p in args.paths], actor=user, clinician=clinician, dry_run=args.dry_run)
    except PermissionDenied as refusal:
        raise ValidationError(str(refusal)) from None
    except FileNotFoundError as missing:
        raise ValidationError(str(missing)) from None
    for result in results:
        print(json.dumps(result.summary()))
        if not result.ok:
            print(result.error, file=sys.stderr)
    return 0 if all(r.ok for r in results) else 2


def _register_import_csv(sub: Any) -> None:
    """`dryneedling import-csv FILE --kind patients|appointments --user EMAIL [--source auto|jane|cliniko]
    [--date-order dmy|mdy] [--dry-run]`: the browser's CSV import (issue 13) for a clinic admin, by
    email. Prints the preview (--dry-run) or the import's result as JSON; a refused file, a row
    error or a refused user is one line on stderr and exit code 2 (nothing is imported)."""
    p = sub.add_parser("import-csv", help="import patients or appointments from a Jane App or Cliniko CSV export")
    p.add_argument("file", help="the CSV file (UTF-8)")
    p.add_argument("--kind", required=True, choices=["patients", "appointments"])
    p.add_argument("--user", required=True, help="the email of a clinic admin of the clinic to import into")
    p.add_argument("--source", default="auto", choices=["auto", "jane", "cliniko"])
    p.add_argument("--date-order", choices=["dmy", "mdy"], help="when every date of a column could be read either way")
    p.add_argument("--dry-run", action="store_true", help="preview only: count and check, write nothing")
    p.set_defaults(func=_import_csv)


def _import_csv(args: argparse.Namespace) -> int:
    import json
    import os
    import sys
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dryneedling.settings")
    import django

    django.setup()
    from django.core.exceptions import PermissionDenied, ValidationError

    from dryneedling.accounts.models import User
    from dryneedling.interop.csv_import import CsvRefused, plan_file, run
    from dryneedling.interop.csv_import.parse import size_problem

    path = Path(args.file)
    if not path.is_file():
        raise ValidationError(f"no file {args.file}")
    problem = size_problem(path.stat().st_size)
    if problem:
        raise ValidationError(problem)
    user = User.objects.filter(email__iexact=args.user, is_active=True).first()
    if user is None:
        raise ValidationError(f"no active user with the email {args.user}")
    try:
        plan = plan_file(data=path.read_bytes(), kind=args.kind, source=args.source, date_order=args.date_order)
        report = run(actor=user, plan=plan, commit=not args.dry_run)
    except (CsvRefused, PermissionDenied) as error:
        raise ValidationError(str(error)) from None
    print(json.dumps(report.as_dict(), indent=2))
    if report.count("error"):
        print(f"dryneedling: {report.error_line()}", file=sys.stderr)
        return 2
    return 0
