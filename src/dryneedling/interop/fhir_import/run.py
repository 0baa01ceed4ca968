"""One import: each file validated whole, then written in one transaction (all or nothing), its
resources in dependency order; a file's failure is one line, FILE:LINE: message, and the next
file still goes in. A dry run does all of it inside a transaction it then rolls back."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Membership, Outcome, User
from dryneedling.accounts.permissions import require_importer
from dryneedling.interop.fhir_import.appointments import import_appointment
from dryneedling.interop.fhir_import.context import FileContext, Problem, Run
from dryneedling.interop.fhir_import.episodes import import_condition, import_episode
from dryneedling.interop.fhir_import.files import RANK, Entry, FileProblem, files_of, read
from dryneedling.interop.fhir_import.outcomes import SKIPPED, import_observation
from dryneedling.interop.fhir_import.people import import_patient, import_practitioner
from dryneedling.interop.fhir_import.validate import validate

Handler = Callable[[FileContext, Entry], str]
HANDLERS: dict[str, Handler] = {
    "Practitioner": import_practitioner,
    "Patient": import_patient,
    "EpisodeOfCare": import_episode,
    "Condition": import_condition,
    "Observation": import_observation,
    "Appointment": import_appointment,
}
# Validated, counted as skipped, never written: the clinic itself; a searchset's messages.
READ_ONLY = ("Organization", "OperationOutcome")


@dataclass
class FileResult:
    file: str
    ok: bool
    dry_run: bool
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    line: int | None = None

    def summary(self) -> dict[str, Any]:
        """The command's JSON line for the file."""
        return {"file": self.file, "ok": self.ok, "dry_run": self.dry_run, "counts": self.counts,
                "skipped": self.skipped} | ({"error": self.error} if self.error else {})  # fmt: skip


class _Failed(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def fhir_import(
    paths: Iterable[Path], *, actor: User, clinician: User | None = None, dry_run: bool = False
) -> list[FileResult]:
    """Import the files the paths name (a directory: its files in dependency order) into the
    actor's clinic. PermissionDenied (audited) unless the actor is a clinic admin or clinician."""
    try:
        membership = require_importer(actor=actor)
    except PermissionDenied as refusal:
        audit_record(actor=actor, action="fhir.import", outcome=Outcome.DENIED, detail={"reason": str(refusal)})
        raise
    if clinician is not None and not _is_clinician(membership, clinician):
        raise ValidationError(f"{clinician.email} is not a clinician of this clinic.")
    run = Run(actor=actor, clinic=membership.clinic, clinician=clinician)
    files = [file for path in paths for file in files_of(Path(path))]
    results = []
    with transaction.atomic() if dry_run else contextlib.nullcontext():
        for path in files:
            results.append(_import_file(run, path, dry_run=dry_run))
        if dry_run:
            transaction.set_rollback(True)
    return results


def _is_clinician(membership: Membership, user: User) -> bool:
    return Membership.objects.filter(clinic=membership.clinic, user=user, is_clinician=True,
                                     user__is_active=True).exists()  # fmt: skip


def _import_file(run: Run, path: Path, *, dry_run: bool) -> FileResult:
    ctx = FileContext(run=run, path=path)
    entries: list[Entry] = []
    try:
        try:
            entries = read(path)
        except FileProblem as problem:
            raise _Failed(str(problem), problem.line) from None
        except (OSError, UnicodeDecodeError) as error:
            raise _Failed(f"cannot read the file ({error.__class__.__name__})", None) from None
        for entry in entries:  # every resource, before any write
            _guard(entry, partial(validate, entry))
        with transaction.atomic():
            for entry in sorted(entries, key=lambda e: RANK[e.type]):
                _write(ctx, entry)
            audit_record(actor=run.actor, action="fhir.import", object_type="fhir_file", detail=_detail(ctx, path))
    except _Failed as failed:
        run.forget([key for entry in entries for key in ctx.keys_of(entry)])
        where = f"{failed.line}" if failed.line is not None else "1"
        detail = {"format": "ndjson" if path.suffix == ".ndjson" else "bundle", "line": failed.line}
        audit_record(
            actor=run.actor, action="fhir.import", object_type="fhir_file", outcome=Outcome.FAILURE, detail=detail
        )
        return FileResult(str(path), False, dry_run, error=f"{path}:{where}: {failed}", line=failed.line)
    ctx.commit()
    counts = {t: dict(c) for t, c in ctx.counts.items()}
    return FileResult(str(path), True, dry_run, counts=counts, skipped=dict(ctx.skipped))


def _write(ctx: FileContext, entry: Entry) -> None:
    if entry.type in READ_ONLY:
        ctx.skipped[entry.type] += 1
        return
    outcome = _guard(entry, partial(HANDLERS[entry.type], ctx, entry))
    if outcome == SKIPPED:
        ctx.skipped[entry.type] += 1
    else:
        ctx.count(entry.type, outcome)


def _guard(entry: Entry, step: Callable[[], Any]) -> Any:
    """Run one step of one resource; a problem becomes the file's failure at the resource's line."""
    try:
        return step()
    except (Problem, PermissionDenied) as problem:
        raise _Failed(f"{entry.where}{problem}", entry.line) from None
    except ValidationError as error:
        raise _Failed(f"{entry.where}{_words(error)}", entry.line) from None


def _words(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


def _detail(ctx: FileContext, path: Path) -> dict[str, Any]:
    """The audit row of a file: its format and counts (no file name: it may hold a patient's)."""
    total: Counter[str] = Counter()
    for counts in ctx.counts.values():
        total.update(counts)
    return {"format": "ndjson" if path.suffix == ".ndjson" else "bundle", "counts": dict(total),
            "types": sorted(ctx.counts), "skipped": sum(ctx.skipped.values())}  # fmt: skip
