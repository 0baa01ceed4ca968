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
    """`dryneedling fhir export --out DIR` (the fhir-export work fills this in)."""


def _register_fhir_import(actions: Any) -> None:
    """`dryneedling fhir import FILE|DIR` (the fhir-import work fills this in)."""


def _register_import_csv(sub: Any) -> None:
    """`dryneedling import-csv` (the CSV-import work fills this in)."""
