"""Previewing and importing a planned file, all or nothing, through the apps' services.

Preview and import run the same code: every row is written in its own savepoint through
`patients.services.patient_create` or `scheduling.services_import.appointment_import` (so the
services' own checks speak for each row), and its ExternalId is recorded. A preview then rolls
the whole transaction back: nothing is written, but every count and error is the one the import
would meet. An import commits only when no row has an error; one bad row and nothing of the file
is written. A record whose source id is already known (an ExternalId of this clinic, source and
kind) is counted as already imported and left alone, so importing a file twice adds nothing.

A patient with the same first name, last name and date of birth as a patient of the clinic that
came otherwise (typed here, or from another file) is a possible duplicate: it is not created and
not linked; the preview lists it for the admin to check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic, Membership, User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.interop.csv_import import columns
from dryneedling.interop.csv_import.rows import (
    AppointmentValues,
    Plan,
    RowError,
    appointment_values,
    local_text,
    patient_values,
)
from dryneedling.interop.models import ExternalId
from dryneedling.patients.models import Patient
from dryneedling.patients.selectors import patient_possible_duplicates_for
from dryneedling.patients.services import patient_create
from dryneedling.scheduling.models import AppointmentType
from dryneedling.scheduling.rules import CANCELLED
from dryneedling.scheduling.services import DEFAULT_TYPES, appointment_types_seed
from dryneedling.scheduling.services_import import CANCEL_REASON_MAX, appointment_import

NEW, IMPORTED, DUPLICATE, ERROR = "new", "imported", "duplicate", "error"
STATUS_LABELS = {
    NEW: "New",
    IMPORTED: "Already imported",
    DUPLICATE: "Possible duplicate (not imported)",
    ERROR: "Error",
}
PREVIEW_ROWS = 50
REFUSAL = "Only a clinic admin imports patients and appointments from CSV files. Ask a clinic admin."


@dataclass
class RowResult:
    number: int
    source_id: str
    status: str = NEW
    shown: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    kind: str
    source: str
    rows: list[RowResult]
    committed: bool = False
    unmapped: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in (NEW, IMPORTED, DUPLICATE, ERROR)} | {"rows": len(self.rows)}

    @property
    def shown_rows(self) -> list[RowResult]:
        """The first rows and every row with an error, in file order (what a preview page lists)."""
        return [r for i, r in enumerate(self.rows) if i < PREVIEW_ROWS or r.errors]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "imported": self.committed,
            "counts": self.counts,
            "errors": [{"row": r.number, "column": c, "message": m} for r in self.rows for c, m in r.errors],
            "unmapped_columns": self.unmapped,
        }

    def error_line(self) -> str:
        """One line for the command line: how many rows failed and the first error."""
        first = next(r for r in self.rows if r.errors)
        column, message = first.errors[0]
        return (
            f"{self.count(ERROR)} of {len(self.rows)} rows have errors, so nothing was imported; "
            f"first: row {first.number} ({column}): {message}"
        )


class _Rollback(Exception):
    pass


def _external(clinic: Clinic, kind: str, system: str) -> dict[str, int]:
    ids = ExternalId.objects.for_clinic(clinic).filter(kind=kind, system=system)
    return dict(ids.values_list("value", "object_id"))


MEANWHILE = "This id was imported meanwhile by another import of the clinic: preview the file again."


def _link(*, clinic: Clinic, kind: str, system: str, value: str, object_id: int, source: str) -> None:
    """Record the row's ExternalId; another import committing the same id since this one began
    (two tabs, two admins) is the row's error, not a 500 (the unique constraint decides)."""
    try:
        with transaction.atomic():
            ExternalId.objects.create(
                clinic=clinic, kind=kind, system=system, value=value, object_id=object_id, source=source
            )
    except IntegrityError:
        raise ValidationError(MEANWHILE) from None


def _field_errors(plan: Plan, error: ValidationError, names: dict[str, str]) -> list[tuple[str, str]]:
    """A service's errors, each under the file's column for that field."""
    if not hasattr(error, "error_dict"):
        return [("", " ".join(error.messages))]
    return [(plan.label(names.get(f, f)), " ".join(msgs)) for f, msgs in error.message_dict.items()]


def run(*, actor: User, plan: Plan, commit: bool) -> Report:
    """Preview (`commit=False`) or import a planned file; see the module's docstring."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION, reason=REFUSAL)
    report = Report(kind=plan.kind, source=plan.source, rows=[], unmapped=plan.mapping.unmapped)
    try:
        with transaction.atomic():
            rows = _patients if plan.kind == columns.PATIENTS else _appointments
            report.rows = rows(actor, membership, plan)
            if not commit or report.count(ERROR):
                raise _Rollback
            audit_record(
                actor=actor,
                action="csv_import.import",
                object_type="interop.csvupload",
                detail={"kind": plan.kind, "source": plan.source, "counts": report.counts, "sha256": plan.sha256},
            )
            report.committed = True
    except _Rollback:
        pass
    if not report.committed:
        audit_record(
            actor=actor,
            action="csv_import.preview" if not commit else "csv_import.refused",
            object_type="interop.csvupload",
            detail={"kind": plan.kind, "source": plan.source, "counts": report.counts, "sha256": plan.sha256},
        )
    return report


ID_MAX = ExternalId._meta.get_field("value").max_length or 255


def _source_ids(plan: Plan, result: RowResult, seen: dict[str, int]) -> bool:
    """Check the row's id: present and not repeated in the file."""
    label = plan.label("source_id")
    if not result.source_id:
        result.errors.append((label, "The row has no id: the import needs it to be repeatable."))
    elif len(result.source_id) > ID_MAX:
        result.errors.append((label, f"An id has at most {ID_MAX} characters."))
    elif result.source_id in seen:
        result.errors.append((label, f"The id {result.source_id!r} is also on row {seen[result.source_id]}."))
    else:
        seen[result.source_id] = result.number
        return True
    return False


PATIENT_NAMES = {f: f for f in columns.PATIENT_FIELDS} | {"mrn": "source_id"}


def _patients(actor: User, membership: Membership, plan: Plan) -> list[RowResult]:
    clinic = membership.clinic
    system = columns.SYSTEMS[(plan.source, columns.PATIENTS)]
    known = _external(clinic, "patient", system)
    seen: dict[str, int] = {}
    results = []
    for number, cells in plan.table.rows:
        result = RowResult(number=number, source_id=plan.cell(cells, "source_id"))
        results.append(result)
        try:
            values = patient_values(plan, cells)
        except RowError as problem:
            result.errors.append((problem.column, problem.message))
            values = {}
        result.shown = {
            "Name": f"{values.get('given_name', '')} {values.get('family_name', '')}".strip(),
            "Date of birth": values["date_of_birth"].isoformat() if values.get("date_of_birth") else "",
            "Sex": str(values.get("sex", "")),
            "Phone": values.get("phone", ""),
            "Email": values.get("email", ""),
        }
        if not _source_ids(plan, result, seen) or result.errors:
            result.status = ERROR
            continue
        if result.source_id in known:
            result.status = IMPORTED
            continue
        if values.get("date_of_birth") and patient_possible_duplicates_for(
            actor=actor,
            given_name=values["given_name"],
            family_name=values["family_name"],
            date_of_birth=values["date_of_birth"],
        ):
            result.status = DUPLICATE
            result.notes.append("A patient with this name and date of birth is already in the clinic.")
            continue
        try:
            with transaction.atomic():
                patient = patient_create(actor=actor, **values)
                _link(
                    clinic=clinic,
                    kind="patient",
                    system=system,
                    value=result.source_id,
                    object_id=patient.pk,
                    source=plan.source,
                )
        except ValidationError as error:
            result.errors.extend(_field_errors(plan, error, PATIENT_NAMES))
            result.status = ERROR
    return results


# --- appointments -------------------------------------------------------------------------------
def _words(text: str) -> str:
    return " ".join(text.casefold().replace(".", " ").split())


@dataclass
class _Book:
    """The clinic's patients, clinicians and types an appointment file names."""

    clinic: Clinic
    patients_by_id: dict[str, int]
    clinicians: list[User]
    types: list[AppointmentType]

    def clinician(self, name: str, email: str) -> User:
        if email:
            hits = [u for u in self.clinicians if u.email.casefold() == email.casefold()]
            if hits:
                return hits[0]
        if name:
            wanted = _words(name).removeprefix("dr ")
            hits = [u for u in self.clinicians if _words(u.full_name).removeprefix("dr ") == wanted]
            if len(hits) == 1:
                return hits[0]
            if hits:
                raise RowError(
                    "clinician", f"{len(hits)} clinicians of this clinic are named {name!r}: add the email column."
                )
        raise RowError("clinician", f"No clinician of this clinic is named {name or email!r}.")

    def patient(self, values: AppointmentValues) -> Patient:
        if values.patient_id and values.patient_id in self.patients_by_id:
            return Patient.objects.for_clinic(self.clinic).get(pk=self.patients_by_id[values.patient_id])
        if values.patient_name and values.patient_dob:
            wanted = _words(values.patient_name)
            if "," in values.patient_name:  # "Family, Given"
                family, _, given = values.patient_name.partition(",")
                wanted = _words(f"{given} {family}")
            candidates = Patient.objects.for_clinic(self.clinic).filter(date_of_birth=values.patient_dob)
            hits = [p for p in candidates if _words(f"{p.given_name} {p.family_name}") == wanted]
            if len(hits) == 1:
                return hits[0]
            if hits:
                raise RowError("patient_name", f"{len(hits)} patients share this name and date of birth.")
        which = f"id {values.patient_id!r}" if values.patient_id else repr(values.patient_name)
        raise RowError(
            "patient_id" if values.patient_id else "patient_name",
            f"The patient {which} is not in the clinic: import the patients file first.",
        )

    def appointment_type(self, name: str, result: RowResult) -> AppointmentType:
        hits = [t for t in self.types if _words(t.name) == _words(name)] if name else []
        if hits:
            return hits[0]
        if not self.types:
            raise RowError("appointment_type", "The clinic has no active appointment type: add one first.")
        default = next((t for t in self.types if t.name == DEFAULT_TYPES[1][0]), self.types[0])
        if name:
            result.notes.append(f"No appointment type {name!r} in this clinic: imported as {default.name!r}.")
        return default


def _book(membership: Membership, plan: Plan) -> _Book:
    clinic = membership.clinic
    clinicians = [
        m.user
        for m in Membership.objects.filter(clinic=clinic, is_clinician=True, user__is_active=True).select_related(
            "user"
        )
    ]
    types = [t for t in appointment_types_seed(clinic=clinic) if t.active]
    patients = _external(clinic, "patient", columns.SYSTEMS[(plan.source, columns.PATIENTS)])
    return _Book(clinic=clinic, patients_by_id=patients, clinicians=clinicians, types=types)


APPOINTMENT_NAMES = {"patient": "patient_id", "time": "start", "status": "status", "clinician": "clinician"}


def _appointments(actor: User, membership: Membership, plan: Plan) -> list[RowResult]:
    clinic = membership.clinic
    system = columns.SYSTEMS[(plan.source, columns.APPOINTMENTS)]
    known = _external(clinic, "appointment", system)
    book = _book(membership, plan)
    now = timezone.now()
    seen: dict[str, int] = {}
    results = []
    for number, cells in plan.table.rows:
        result = RowResult(number=number, source_id=plan.cell(cells, "source_id"))
        results.append(result)
        if not _source_ids(plan, result, seen):
            result.status = ERROR
            continue
        if result.source_id in known:
            result.status = IMPORTED
            continue
        try:
            _appointment(actor, plan, book, result, appointment_values(plan, cells, zone=clinic.time_zone, now=now))
        except RowError as problem:
            column = plan.label(problem.column) if problem.column in plan.mapping.columns else problem.column
            result.errors.append((column, problem.message))
        except ValidationError as error:
            result.errors.extend(_field_errors(plan, error, APPOINTMENT_NAMES))
        if result.errors:
            result.status = ERROR
    return results


def _appointment(actor: User, plan: Plan, book: _Book, result: RowResult, values: AppointmentValues) -> None:
    zone = book.clinic.time_zone
    result.shown = {
        "Patient": values.patient_name or values.patient_id,
        "Practitioner": values.clinician or values.clinician_email,
        "Start": local_text(values.starts_at, zone),
        "Status": values.status,
    }
    patient = book.patient(values)
    result.shown["Patient"] = patient.display_name
    clinician = book.clinician(values.clinician, values.clinician_email)
    kind = book.appointment_type(values.appointment_type, result)
    ends_at = values.ends_at or _end(values, kind)
    result.shown |= {"Type": kind.name, "End": local_text(ends_at, zone)}
    with transaction.atomic():
        appointment = appointment_import(
            actor=actor,
            clinician=clinician,
            patient=patient,
            appointment_type=kind,
            starts_at=values.starts_at,
            ends_at=ends_at,
            status=values.status,
            cancel_reason=_cancel_reason(plan, values),
        )
        _link(
            clinic=book.clinic,
            kind="appointment",
            system=columns.SYSTEMS[(plan.source, columns.APPOINTMENTS)],
            value=result.source_id,
            object_id=appointment.pk,
            source=plan.source,
        )


def _cancel_reason(plan: Plan, values: AppointmentValues) -> str:
    """A cancelled appointment's reason (the file's, else where it was cancelled), kept within the
    book's limit; other appointments carry none."""
    if values.status != CANCELLED:
        return ""
    reason = " ".join((values.cancel_reason or "").split())
    return (reason or f"Cancelled in {columns.SOURCE_LABELS[plan.source]} (imported).")[:CANCEL_REASON_MAX]


def _end(values: AppointmentValues, kind: AppointmentType) -> datetime:
    from datetime import timedelta

    return values.starts_at + timedelta(minutes=values.duration or kind.minutes)
