"""What an import knows while it runs: the clinic, the acting user, and the records the resources
read so far became (references resolve through it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from dryneedling.accounts.models import Clinic, User
from dryneedling.interop.fhir_import import identity
from dryneedling.interop.fhir_import.files import Entry
from dryneedling.interop.models import Kind

KIND_OF = {
    "Patient": Kind.PATIENT,
    "EpisodeOfCare": Kind.EPISODE,
    "Condition": Kind.CONDITION,
    "Observation": Kind.OBSERVATION,
    "Appointment": Kind.APPOINTMENT,
}
OUTCOMES = ("created", "updated", "unchanged")


class Problem(Exception):
    """Why one resource cannot be imported (its file is then rolled back)."""


@dataclass
class Run:
    """One `fhir import`: its user and clinic, and what earlier files of a directory became, by
    their resource ids ("Patient/17"), so NDJSON files refer to each other as a Bundle's entries do."""

    actor: User
    clinic: Clinic
    clinician: User | None = None
    ids: dict[str, tuple[str, int]] = field(default_factory=dict)
    practitioners: dict[str, User | str] = field(default_factory=dict)
    diagnoses: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    """The keys ("Patient/17") of the resources of files that failed: a later file of the run
    referring to one must not find an earlier file's resource of that id (another export's)."""

    def forget(self, keys: list[str]) -> None:
        for key in keys:
            self.ids.pop(key, None)
            self.practitioners.pop(key, None)
            self.failed.add(key)


@dataclass
class FileContext:
    run: Run
    path: Path
    local: dict[str, tuple[str, int]] = field(default_factory=dict)  # reference key -> (type, pk)
    practitioners: dict[str, User | str] = field(default_factory=dict)
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    # A Condition's reference -> (episode pk, position) from the diagnosis list of an EpisodeOfCare
    diagnoses: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    fallback_episodes: dict[int, int] = field(default_factory=dict)  # patient pk -> episode pk
    written: dict[tuple[str, int], Entry] = field(default_factory=dict)  # (kind, pk) -> the resource

    @property
    def actor(self) -> User:
        return self.run.actor

    @property
    def clinic(self) -> Clinic:
        return self.run.clinic

    def count(self, resource_type: str, outcome: str) -> None:
        self.counts.setdefault(resource_type, Counter({o: 0 for o in OUTCOMES}))[outcome] += 1

    def keys_of(self, entry: Entry) -> list[str]:
        keys = [f"{entry.type}/{entry.resource['id']}"] if entry.resource.get("id") else []
        return keys + ([entry.full_url] if entry.full_url else [])

    def register(self, entry: Entry, pk: int) -> None:
        for key in self.keys_of(entry):
            self.local[key] = (entry.type, pk)

    def existing(self, kind: str, pairs: list[identity.Pair]) -> Any:
        """The record of `kind` the resource's identifiers name (identity.find), or None."""
        try:
            pk = identity.find(self.clinic, kind, pairs)
        except identity.Conflict as error:
            raise Problem(str(error)) from None
        model: Any = identity.MODELS[kind]
        return None if pk is None else model.objects.for_clinic(self.clinic).filter(pk=pk).first()

    def done(self, entry: Entry, kind: str, pk: int, pairs: list[identity.Pair], outcome: str) -> str:
        """Remember the record's identifiers and its resource's keys; the outcome to count (a record
        that only gained an identifier was updated). Two resources of one file are two records: a
        second one naming the record of the first (same identifier, MRN or code) would overwrite it."""
        first = self.written.setdefault((kind, pk), entry)
        if first is not entry:
            named = f"entry {first.index}" if first.index is not None else f"line {first.line}"
            raise Problem(f"it names the same record as {named} of this file (same identifier, MRN or code)")
        if identity.remember(self.clinic, kind, pk, pairs) and outcome == "unchanged":
            outcome = "updated"
        self.register(entry, pk)
        return outcome

    def commit(self) -> None:
        """The file went in: later files of the run may refer to its resources by type and id."""
        for key, found in self.local.items():
            if key.startswith(f"{found[0]}/"):
                self.run.ids[key] = found
        self.run.practitioners.update(self.practitioners)
        self.run.diagnoses.update(self.diagnoses)

    def __post_init__(self) -> None:
        self.diagnoses = dict(self.run.diagnoses)

    def resolve(self, reference: dict[str, Any] | None, resource_type: str) -> int | None:
        """The pk of the record a Reference names: a resource of this file (by its id or fullUrl),
        one of an earlier file of the run, or (a logical reference) a record its identifier names."""
        if not reference:
            return None
        text = str(reference.get("reference") or "")
        for key in _keys(text, resource_type):
            if key in self.run.failed and key not in self.local:
                raise Problem(f"{text} is a resource of a file of this import that failed")
            found = self.local.get(key) or self.run.ids.get(key)
            if found is not None and found[0] == resource_type:
                return found[1]
        pairs = identity.identifiers_of({"identifier": [reference.get("identifier") or {}]})
        if pairs and resource_type in KIND_OF:
            try:
                return identity.find(self.clinic, KIND_OF[resource_type], pairs)
            except identity.Conflict as error:
                raise Problem(f"the {resource_type} reference: {error}") from None
        return None


def _keys(text: str, resource_type: str) -> list[str]:
    """A reference's keys: as written, and "Type/id" read off an absolute URL or a versioned one."""
    if not text:
        return []
    keys = [text]
    parts = text.split("/_history/")[0].rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == resource_type:
        keys.append(f"{parts[-2]}/{parts[-1]}")
    return keys


def reference_text(reference: dict[str, Any] | None) -> str:
    if not reference:
        return "(none)"
    if reference.get("reference"):
        return str(reference["reference"])
    identifier = reference.get("identifier") or {}
    return f"identifier {identifier.get('system', '')}|{identifier.get('value', '')}"


def a_date(value: Any, what: str) -> date:
    """A full date (YYYY-MM-DD); FHIR allows a year or a month, the records need a day."""
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Problem(f"{what} {value!r} is not a full date (YYYY-MM-DD)") from None


def a_moment(value: Any, what: str) -> datetime:
    """A dateTime with a time and an offset: kept as that moment (stored in UTC, offset and all)."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Problem(f"{what} {value!r} is not a date and time") from None
    if moment.tzinfo is None or "T" not in str(value):
        raise Problem(f"{what} {value!r} needs a time and its offset (e.g. 2026-03-02T09:00:00-05:00)")
    try:  # stored in UTC: 0001-01-01T00:30+01:00 or 9999-12-31T23:30-05:00 has no UTC moment to store
        moment.astimezone(UTC)
    except OverflowError:
        raise Problem(f"{what} {value!r} is outside the years 1 to 9999 once in UTC") from None
    return moment
