"""Each resource is validated against FHIR R4B (fhir.resources) before anything is written."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

import pydantic

from dryneedling.interop.fhir_import.context import Problem
from dryneedling.interop.fhir_import.files import NESTED, RANK, Entry


@cache
def _model(resource_type: str) -> Any:
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type)


def validate(entry: Entry) -> None:
    """Problem (in words, naming the element) unless the resource is a valid R4B resource of a type
    the import reads."""
    if entry.type not in RANK:
        raise Problem(f"resource type {entry.type!r} is not imported (imported are {', '.join(RANK)})")
    try:
        _model(entry.type).model_validate(entry.resource)
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or entry.type
        message = str(first["msg"]).removeprefix("Value error, ")
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise Problem(f"not valid FHIR R4B: {where}: {message}{more}") from None
    except RecursionError:  # hundreds of nested extensions: valid JSON, too deep for the validator
        raise Problem(f"not valid FHIR R4B this import reads: {NESTED}") from None
