"""Which column of a Jane or Cliniko CSV export holds which of our fields, by header NAME.

A header is compared after `normalise`: lower case, every character that is not a letter or a
digit dropped, so "Date of Birth", "date_of_birth" and "DATE-OF-BIRTH" are one name. Column order
never matters. Each field lists the names both sources use (`COMMON`) and the names only one of
them uses; those source-only names also tell the two sources apart (`detect_source`). The names
and where each was found are in docs/csv-import.md ([NF] marks names that could not be confirmed
in the vendors' documentation and are accepted as sensible aliases).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

JANE, CLINIKO = "jane", "cliniko"
SOURCES = (JANE, CLINIKO)
SOURCE_LABELS = {JANE: "Jane App", CLINIKO: "Cliniko"}
PATIENTS, APPOINTMENTS = "patients", "appointments"

# The identifier systems of the records' ids in each source (interop.models.ExternalId.system).
SYSTEMS = {
    (JANE, PATIENTS): "https://jane.app/patient-id",
    (JANE, APPOINTMENTS): "https://jane.app/appointment-id",
    (CLINIKO, PATIENTS): "https://cliniko.com/patient-id",
    (CLINIKO, APPOINTMENTS): "https://cliniko.com/appointment-id",
}


def normalise(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.casefold())


@dataclass(frozen=True)
class Field:
    label: str  # how the preview and the messages name the field
    common: tuple[str, ...]
    only: dict[str, tuple[str, ...]] = field(default_factory=dict)
    required: bool = False
    is_date: bool = False
    # The common names before the source-only ones: Sex before Cliniko's Gender Identity, Mobile
    # before Jane's Home/Work Phone (the first non-empty column of a field is the one kept).
    common_first: bool = False

    def names(self, source: str) -> tuple[str, ...]:
        only = self.only.get(source, ())
        return tuple(normalise(n) for n in ((*self.common, *only) if self.common_first else (*only, *self.common)))


PATIENT_FIELDS: dict[str, Field] = {
    "source_id": Field(
        "Patient ID",
        ("Patient ID", "ID", "Client ID"),
        {JANE: ("Patient Number", "Jane ID"), CLINIKO: ("Cliniko ID",)},
        required=True,
    ),
    "given_name": Field("First name", ("First Name", "Given Name", "First"), required=True),
    "family_name": Field("Last name", ("Last Name", "Surname", "Family Name", "Last"), required=True),
    "date_of_birth": Field(
        "Date of birth", ("Date of Birth", "DOB", "Birth Date", "Birthdate", "Birthday"), required=True, is_date=True
    ),
    "sex": Field("Sex", ("Sex", "Gender"), {CLINIKO: ("Gender Identity",)}, common_first=True),
    "phone": Field(
        "Phone",
        ("Mobile", "Mobile Phone", "Phone", "Phone Number", "Cell Phone"),
        {JANE: ("Home Phone", "Work Phone"), CLINIKO: ("Patient Phone Numbers", "Phone Numbers")},
        common_first=True,
    ),
    "email": Field("Email", ("Email", "Email Address", "E-mail")),
    "address": Field(
        "Address",
        ("Address", "Street Address", "City", "State", "Province", "Postal Code", "Zip", "Zip Code", "Country"),
        {
            JANE: ("Address Line 1", "Address Line 2"),
            CLINIKO: ("Address 1", "Address 2", "Address 3", "Suburb", "Post Code", "Postcode"),
        },
    ),
    "notes": Field("Notes", ("Notes",)),
}
# Names only one source's patient export has, used to tell the sources apart (never mapped).
PATIENT_MARKERS: dict[str, tuple[str, ...]] = {
    JANE: ("First Visit", "Last Visit", "Preferred First Name", "Personal Health Number", "Pronouns"),
    CLINIKO: (
        "Unapplied Account Credit",
        "Medicare",
        "Medicare Reference Number",
        "DVA Card Number",
        "Appointment Notes",
        "Invoice Extra Information",
        "Accepted Privacy Policy",
    ),
}

APPOINTMENT_FIELDS: dict[str, Field] = {
    "source_id": Field("Appointment ID", ("Appointment ID", "ID", "Booking ID"), required=True),
    "patient_id": Field("Patient ID", ("Patient ID", "Client ID"), {JANE: ("Patient Number",)}),
    "patient_name": Field("Patient", ("Patient", "Patient Name", "Client", "Client Name")),
    "patient_given": Field("Patient first name", ("Patient First Name",)),
    "patient_family": Field("Patient last name", ("Patient Last Name",)),
    "patient_dob": Field(
        "Patient's date of birth",
        ("Patient Date of Birth", "Patient DOB", "Patient Birth Date", "Date of Birth", "DOB", "Birth Date"),
        is_date=True,
    ),
    "clinician": Field(
        "Practitioner",
        ("Practitioner", "Practitioner Name", "Provider", "Clinician"),
        {JANE: ("Staff Member", "Staff", "Staff Member Name")},
    ),
    "clinician_email": Field(
        "Practitioner email",
        ("Practitioner Email", "Provider Email", "Clinician Email"),
        {JANE: ("Staff Member Email", "Staff Email")},
    ),
    "appointment_type": Field(
        "Appointment type", ("Appointment Type", "Service", "Type"), {JANE: ("Treatment", "Treatment Name")}
    ),
    "date": Field("Date", ("Date", "Appointment Date"), is_date=True),
    "start": Field(
        "Start",
        ("Start", "Start Time", "Starts At", "Starts", "Start Date Time"),
        {CLINIKO: ("Appointment Start",)},
        required=True,
        is_date=True,
    ),
    "end": Field(
        "End",
        ("End", "End Time", "Ends At", "Ends", "End Date Time"),
        {CLINIKO: ("Appointment End",)},
        is_date=True,
    ),
    "duration": Field("Duration (minutes)", ("Duration", "Duration Minutes", "Length", "Minutes")),
    "status": Field("Status", ("Status", "Appointment Status"), {JANE: ("State", "Arrival Status")}),
    "cancelled": Field(
        "Cancelled", ("Cancelled", "Canceled", "Cancelled At", "Canceled At"), {CLINIKO: ("Cancellation Time",)}
    ),
    "no_show": Field("Did not arrive", ("No Show", "No-show", "Did Not Arrive", "DNA")),
    "arrived": Field("Arrived", ("Arrived", "Patient Arrived")),
    "cancel_reason": Field(
        "Cancellation reason",
        ("Cancellation Reason", "Cancel Reason"),
        {CLINIKO: ("Cancellation Reason Description", "Cancellation Note")},
    ),
}
APPOINTMENT_MARKERS: dict[str, tuple[str, ...]] = {
    JANE: ("Treatment", "Staff Member", "State", "Location", "Discipline"),
    CLINIKO: ("Appointment Start", "Appointment End", "Did Not Arrive", "Patient Arrived", "Business"),
}

KIND_FIELDS: dict[str, dict[str, Field]] = {PATIENTS: PATIENT_FIELDS, APPOINTMENTS: APPOINTMENT_FIELDS}
KIND_MARKERS: dict[str, dict[str, tuple[str, ...]]] = {PATIENTS: PATIENT_MARKERS, APPOINTMENTS: APPOINTMENT_MARKERS}


def _source_only_names(kind: str, source: str) -> set[str]:
    fields = KIND_FIELDS[kind].values()
    names = {normalise(n) for f in fields for n in f.only.get(source, ())}
    names |= {normalise(n) for n in KIND_MARKERS[kind].get(source, ())}
    other = {normalise(n) for s in SOURCES if s != source for f in fields for n in f.only.get(s, ())}
    other |= {normalise(n) for s in SOURCES if s != source for n in KIND_MARKERS[kind].get(s, ())}
    return names - other


def detect_source(kind: str, headers: list[str]) -> str | None:
    """Jane or Cliniko from the headers (the source with more of its own names), None when they tie."""
    present = {normalise(h) for h in headers}
    scores = {s: len(present & _source_only_names(kind, s)) for s in SOURCES}
    best = max(scores.values())
    winners = [s for s, n in scores.items() if n == best]
    return winners[0] if best and len(winners) == 1 else None


@dataclass(frozen=True)
class Mapping:
    """Our field -> the indexes of the columns that hold it, in the order of preference."""

    columns: dict[str, list[int]]
    headers: list[str]
    unmapped: list[str]

    def label(self, field_name: str) -> str:
        """The file's own header of a field (its first column), for messages."""
        indexes = self.columns.get(field_name)
        return self.headers[indexes[0]] if indexes else field_name


def map_headers(kind: str, source: str, headers: list[str]) -> Mapping:
    fields = KIND_FIELDS[kind]
    found: dict[str, list[tuple[int, int]]] = {}
    unmapped = []
    for index, header in enumerate(headers):
        name = normalise(header)
        hit = next(((key, f.names(source).index(name)) for key, f in fields.items() if name in f.names(source)), None)
        if hit is None:
            if header.strip():
                unmapped.append(header.strip())
            continue
        found.setdefault(hit[0], []).append((hit[1], index))
    columns = {key: [index for _, index in sorted(pairs)] for key, pairs in found.items()}
    return Mapping(columns=columns, headers=headers, unmapped=unmapped)


def missing_columns(kind: str, source: str, mapping: Mapping) -> list[str]:
    """Sentences naming each required field the file has no column for."""
    problems = []
    for key, f in KIND_FIELDS[kind].items():
        if f.required and key not in mapping.columns:
            looked = ", ".join(dict.fromkeys((*f.only.get(source, ()), *f.common)))
            problems.append(f"The file has no column for {f.label.lower()} (looked for: {looked}).")
    if kind == APPOINTMENTS:
        cols = mapping.columns
        if "clinician" not in cols and "clinician_email" not in cols:
            problems.append("The file has no column naming the practitioner (Practitioner, Staff Member, …).")
        if not ({"patient_id", "patient_name"} & set(cols) or {"patient_given", "patient_family"} <= set(cols)):
            problems.append("The file has no column naming the patient (Patient ID, Patient, Patient Name, …).")
    return problems
