"""Reads of patient data. The one choke point: every query is scoped to the actor's clinic.

A record id from another clinic (or none at all) raises Http404 and leaves a 'denied' audit
row, so another clinic's ids give the same answer as ids that never existed. Views resolve
records through these selectors before they call a write service, outside any transaction, so
the 'denied' row is committed even though the request fails.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic, Outcome, User
from dryneedling.accounts.selectors import clinic_for, membership_for
from dryneedling.accounts.tenancy import ClinicScoped
from dryneedling.patients.models import Episode, EpisodeCondition, Patient, PatientSearchTerm
from dryneedling.patients.search import search_word
from dryneedling.patients.validation import phone_digits

SEARCH_WORDS = 5
SEARCH_MATCHES = 501  # patients a search reads, one more than the list counts (web.views.patients.COUNT_CAP)
# A search word with at least this many digits is also compared with phone numbers (digits only).
PHONE_MIN_DIGITS = 4
M = TypeVar("M", bound=models.Model)
_DATE_WORD = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_PHONE_TEXT = re.compile(r"^[\d\s\-().+/]+$")


def birth_dates_in(text: str) -> list[date]:
    """The dates a search word can mean: ISO 1980-05-17, or day and month in either order with a
    four-digit year (17/05/1980, 05/17/1980, 17.05.1980). A day-month pair that reads both ways
    (05/06/1980) gives both dates: a search may show one patient too many, never miss one."""
    match = _DATE_WORD.match(text.strip())
    if not match:
        return []
    a, b, c = match.groups()
    if len(a) == 4:  # year first: ISO order only
        orders = [(int(a), int(b), int(c))]
    elif len(c) == 4:
        orders = [(int(c), int(b), int(a)), (int(c), int(a), int(b))]  # day/month, month/day
    else:
        return []
    found: list[date] = []
    for year, month, day in orders:
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if value not in found:
            found.append(value)
    return found


def _prefix(word: str) -> Q:
    """Terms that start with `word`, as the (clinic, term) index serves it: on PostgreSQL a
    `LIKE 'word%'` (the index's varchar_pattern_ops), on SQLite a range of the BINARY order
    (SQLite's LIKE ignores case, so it cannot use an ordinary index)."""
    if connection.vendor == "postgresql":
        return Q(term__startswith=word)
    return Q(term__gte=word, term__lt=word + "\U0010ffff")


def _word_matches(word: str) -> list[Q]:
    """The term conditions a search word matches, any of them: the start of a name, MRN, email
    or phone term; a date word (17/05/1980) also the date of birth; a word of four digits or
    more the phone's digits. Kept apart (one UNION of subqueries), so that each is served by the
    index: an OR inside one subquery makes SQLite read every term of the clinic, and an OR of
    subqueries makes PostgreSQL filter every patient."""
    matches = [_prefix(search_word(word))]
    dates = birth_dates_in(word)
    if dates:
        matches.append(Q(term__in=[d.isoformat() for d in dates]))
    digits = phone_digits(word)
    if _PHONE_TEXT.match(word) and len(digits) >= PHONE_MIN_DIGITS and not dates and digits != search_word(word):
        matches.append(_prefix(digits))
    return matches


def patient_list_for(*, actor: User, query: str = "") -> QuerySet[Patient]:
    """The actor's clinic's patients, by family then given name, filtered by the search.

    The whole search typed as a phone number with spaces is read as one; otherwise each word (up
    to five) must match the start of one of the patient's search terms (patients/search.py: the
    words of the names, folded; the MRN, email, phone digits, date of birth), read from the
    (clinic, term) index, so the search costs the same in a clinic of any size (issue 14).
    """
    clinic_id = membership_for(actor=actor).clinic_id
    patients = Patient.objects.for_clinic(clinic_id)
    # Control characters cannot match a name (and PostgreSQL refuses NUL in a parameter).
    query = "".join(ch for ch in query if ch.isprintable()).strip()
    if not query:
        return patients.order_by("family_name", "given_name", "id")
    digits = phone_digits(query)
    if _PHONE_TEXT.match(query) and " " in query and not birth_dates_in(query) and len(digits) >= PHONE_MIN_DIGITS:
        words = [digits]  # "555 010 2030": a phone number typed with spaces is one search, not three words
    else:
        words = [w for w in query.split()[:SEARCH_WORDS] if search_word(w) or birth_dates_in(w)]
    terms = PatientSearchTerm.objects.for_clinic(clinic_id)
    searches = sorted((_word_matches(word) for word in words), key=len)  # plain words (one condition) first
    if not searches:  # nothing searchable typed (punctuation only): the whole list, as before
        return patients.order_by("family_name", "given_name", "id")
    if len(searches[0]) > 1:  # only dates and phone numbers: few patients each, filtered as they are
        for conditions in searches:
            patients = patients.filter(pk__in=_union(terms, conditions))
        return patients.order_by("family_name", "given_name", "id")
    # A plain word's own terms lead (one range of the term index), the other words filter them, and
    # at most SEARCH_MATCHES patients are read (by id, so every page of one search reads the same
    # set) before they are sorted by name. Filtering the clinic's patients in name order instead
    # made PostgreSQL walk the whole name index for a common word (1.2 s for "smi" at 100,000
    # patients). The list counts to 500 and then says "more than 500".
    matched = terms.filter(searches[0][0])
    for conditions in searches[1:]:
        matched = matched.filter(patient_id__in=_union(terms, conditions))
    found = matched.values("patient_id").distinct().order_by("patient_id")[:SEARCH_MATCHES]
    return patients.filter(pk__in=found).order_by("family_name", "given_name", "id")


def _union(terms: QuerySet[PatientSearchTerm], conditions: list[Q]) -> QuerySet[PatientSearchTerm, Any]:
    """The patients whose terms meet any of `conditions`: one UNION of index-served subqueries."""
    first, *others = [terms.filter(condition).values("patient_id") for condition in conditions]
    return first.union(*others) if others else first


def patient_possible_duplicates_for(
    *, actor: User, given_name: str, family_name: str, date_of_birth: date, exclude_id: int | None = None
) -> list[Patient]:
    """Patients of the actor's clinic with the same names (any case) and date of birth: the
    registration form asks before it creates another (a warning, not a block)."""
    patients = Patient.objects.for_actor(actor).filter(
        given_name__iexact=given_name.strip(), family_name__iexact=family_name.strip(), date_of_birth=date_of_birth
    )
    if exclude_id is not None:
        patients = patients.exclude(pk=exclude_id)
    return list(patients.order_by("id")[:10])


def patient_names_for(*, actor: User, patient_ids: Collection[int]) -> dict[int, str]:
    """Display names of the actor's clinic's patients among `patient_ids` (for the audit trail,
    which stores ids only); ids of other clinics are simply absent."""
    patients = Patient.objects.for_actor(actor).filter(pk__in=list(patient_ids))
    return {p.pk: f"{p.display_name} ({p.mrn})" for p in patients.only("id", "given_name", "family_name", "mrn")}


def patient_ids_by_mrn_for(*, actor: User, mrn: str) -> list[int]:
    """The actor's clinic's patient with this MRN (exact, case-insensitive), as a list of ids."""
    return list(Patient.objects.for_actor(actor).filter(mrn__iexact=mrn.strip()).values_list("pk", flat=True))


def deny(*, actor: User, object_type: str, object_id: object, model: type[models.Model] | None = None) -> Http404:
    """Record a refused access and return the 404 to raise.

    With `model` (a clinic-scoped model), an id that belongs to another clinic is also recorded
    in that clinic's trail, so its admin sees who tried to reach their record. Call it outside a
    write's transaction (or the row rolls back with it): views resolve records first.
    """
    object_type_label = model._meta.label_lower if model is not None else f"patients.{object_type}"
    action, object_id_text = f"{object_type}.access", str(object_id)[:64]
    own = audit_record(
        actor=actor, action=action, object_type=object_type_label, object_id=object_id_text, outcome=Outcome.DENIED
    )
    target, patient_id = _owner_of(model=model, object_id=object_id)
    if target is not None and target.pk != own.clinic_id:
        audit_record(
            actor=actor,
            clinic=target,
            action=action,
            object_type=object_type_label,
            object_id=object_id_text,
            outcome=Outcome.DENIED,
            detail={"cross_clinic": True},
            patient_id=patient_id,  # so the attempt shows in that patient's access report
        )
    return Http404("No such record.")


def get_or_deny(records: QuerySet[M], *, actor: User, pk: int, object_type: str) -> M:
    """The record `pk` among the clinic-scoped `records`, or a recorded denial (404): another
    clinic's id answers as one that never existed."""
    found = records.filter(pk=pk).first()
    if found is None:
        raise deny(actor=actor, object_type=object_type, object_id=pk, model=records.model)
    return found


def _owner_of(*, model: type[models.Model] | None, object_id: object) -> tuple[Clinic | None, int | None]:
    """The clinic (and patient) a record belongs to, read without scoping: for a denial's audit
    row in the targeted clinic only."""
    if model is None:
        return None, None
    patient_field = "pk" if model is Patient else "patient_id"
    if patient_field != "pk" and not any(f.attname == "patient_id" for f in model._meta.concrete_fields):
        patient_field = "clinic_id"  # no patient on this record: only the clinic is known
    try:
        # clinic records (training, credentials) have no scoped manager; patient data has `unscoped`
        manager = model.unscoped if issubclass(model, ClinicScoped) else model._default_manager
        row = manager.filter(pk=object_id).values_list("clinic_id", patient_field).first()
    except (ValueError, TypeError):
        return None, None
    if row is None:
        return None, None
    clinic = Clinic.objects.filter(pk=row[0]).first()
    return clinic, (row[1] if patient_field != "clinic_id" else None)


def patient_get_for(*, actor: User, patient_id: int) -> Patient:
    clinic = clinic_for(actor=actor)
    try:
        return Patient.objects.for_clinic(clinic).get(pk=patient_id)
    except Patient.DoesNotExist:
        raise deny(actor=actor, object_type="patient", object_id=patient_id, model=Patient) from None


def episode_list_for(*, actor: User, patient: Patient) -> QuerySet[Episode]:
    clinic = clinic_for(actor=actor)
    return (
        Episode.objects.for_clinic(clinic)
        .filter(patient=patient)
        .prefetch_related("conditions")
        .order_by("-start_date", "-id")
    )


def episode_get_for(*, actor: User, episode_id: int) -> Episode:
    clinic = clinic_for(actor=actor)
    try:
        return Episode.objects.for_clinic(clinic).prefetch_related("conditions").get(pk=episode_id)
    except Episode.DoesNotExist:
        raise deny(actor=actor, object_type="episode", object_id=episode_id, model=Episode) from None


def clinic_counts(*, clinic_id: int) -> dict[str, int]:
    """Counts of the main records of one clinic (for `dryneedling stats`; no patient data)."""
    return {
        "patients": Patient.objects.for_clinic(clinic_id).count(),
        "episodes": Episode.objects.for_clinic(clinic_id).count(),
        "episode_conditions": EpisodeCondition.objects.for_clinic(clinic_id).count(),
        "active_episodes": Episode.objects.for_clinic(clinic_id).filter(status="active").count(),
    }


def episodes_by_status(*, clinic_id: int) -> dict[str, int]:
    rows = Episode.objects.for_clinic(clinic_id).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}
