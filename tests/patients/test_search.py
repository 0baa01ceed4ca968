"""Patient search served by an index (issue 14): word-start prefixes of the folded names, the MRN,
the email, the phone and the date of birth, read from `PatientSearchTerm` rather than by a
`LIKE '%q%'` scan of every patient; and a bounded count on the list page."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dryneedling.patients.models import Patient, PatientSearchTerm
from dryneedling.patients.search import fold, patient_search_terms
from dryneedling.patients.selectors import patient_list_for
from dryneedling.patients.services import patient_create, patient_update


def _names(patients) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(p.given_name for p in patients)


def _make(actor, given: str, family: str, **extra):  # type: ignore[no-untyped-def]
    fields = {"date_of_birth": date(1970, 1, 2), "sex": "female"} | extra
    return patient_create(actor=actor, given_name=given, family_name=family, **fields)


def test_fold_lowers_case_and_removes_accents():
    assert fold("  Zoë  ÉLODIE-Núñez ") == "zoe elodie-nunez"
    assert fold("Straße") == "strasse"


def test_search_terms_are_word_starts_of_names_and_the_identifiers():
    terms = patient_search_terms(
        given_name="Mary-Jane",
        family_name="O'Brien",
        mrn="IMP-77",
        phone="+1 (555) 010-2030",
        email="MJ@Example.org",
        date_of_birth=date(1980, 5, 17),
    )
    for term in ["mary-jane", "mary", "jane", "maryjane", "o'brien", "obrien", "brien", "imp-77"]:
        assert term in terms
    assert {"15550102030", "0102030", "2030", "mj@example.org", "example.org", "1980-05-17"} <= set(terms)
    assert terms == sorted(set(terms))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zoe", ["Zoë"]),  # accent-insensitive
        ("ZOË", ["Zoë"]),
        ("nunez", ["Zoë"]),  # family name, accents folded
        ("NÚÑ", ["Zoë"]),
        ("jane", ["Mary-Jane"]),  # a part of a hyphenated name
        ("obri", ["Mary-Jane"]),  # an apostrophe dropped
        ("mar", ["Mark", "Mary-Jane"]),
        ("mar smi", ["Mark"]),  # every word must match the start of some word
        ("smith mark", ["Mark"]),
        ("ith", []),  # not the middle of a word (issue 14: no more '%q%')
    ],
)
def test_search_by_word_starts_case_and_accent_insensitive(alice, query, expected):
    _make(alice, "Zoë", "Núñez")
    _make(alice, "Mary-Jane", "O'Brien")
    _make(alice, "Mark", "Smith")
    assert _names(patient_list_for(actor=alice, query=query)) == expected


@pytest.mark.django_db
def test_terms_follow_an_edit_and_stay_in_their_clinic(alice, carol):
    patient = _make(alice, "Ann", "Lee")
    _make(carol, "Ann", "Lee")
    patient_update(actor=alice, patient=patient, family_name="Quimby")
    assert _names(patient_list_for(actor=alice, query="quim")) == ["Ann"]
    assert _names(patient_list_for(actor=alice, query="lee")) == []
    assert PatientSearchTerm.objects.for_clinic(patient.clinic_id).filter(term="lee").count() == 0
    assert _names(patient_list_for(actor=carol, query="lee")) == ["Ann"]


@pytest.mark.django_db
def test_search_finds_by_mrn_prefix(alice):
    _make(alice, "Ann", "Lee", mrn="IMP-77")
    assert _names(patient_list_for(actor=alice, query="imp-7")) == ["Ann"]
    assert _names(patient_list_for(actor=alice, query="IMP-77")) == ["Ann"]


def _plan(queryset) -> str:  # type: ignore[no-untyped-def]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.sqlite_only  # EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans from its statistics (deselected there)
@pytest.mark.django_db
@pytest.mark.parametrize("query", ["lee", "ann lee", "imp-7", "17/05/1980", "555 010 2030", "2030"])
def test_the_search_reads_the_term_index_not_every_patient(alice, query):
    _make(alice, "Ann", "Lee", mrn="IMP-77", phone="555 010 2030", date_of_birth=date(1980, 5, 17))
    plan = _plan(patient_list_for(actor=alice, query=query)[:26])
    assert "patient_search_term_prefix" in plan or "patient_search_term" in plan, plan
    scans = [line for line in plan.splitlines() if line.startswith("SCAN")]
    assert not scans, plan  # no full scan of the patients (nor of the terms)
    # every read of the terms is bounded by the term, not only by the clinic (all its terms)
    term_reads = [line for line in plan.splitlines() if "patient_search_term" in line]
    assert term_reads and all("term>" in line or "term=" in line for line in term_reads), plan


@pytest.mark.django_db
def test_the_search_page_runs_the_same_queries_for_few_and_many_patients(alice, alice_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = alice_client.get("/patients/?q=le", HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return len(captured)

    _make(alice, "Ann", "Lee")
    few = queries()
    for n in range(40):
        _make(alice, f"Leo{n}", f"Leeds{n}")
    assert queries() == few


@pytest.mark.django_db
def test_the_list_says_more_than_the_cap_instead_of_counting_every_match(alice, alice_client, monkeypatch):
    from dryneedling.web.views import patients as patient_views

    monkeypatch.setattr(patient_views, "COUNT_CAP", 3)
    for n in range(5):
        _make(alice, f"Leo{n}", "Lee")
    text = alice_client.get("/patients/?q=lee").content.decode()
    assert "more than 3 patients" in text
    assert "5 patients" not in text
    assert Patient.objects.for_actor(alice).count() == 5
    monkeypatch.setattr(patient_views, "PAGE_SIZE", 2)
    page_3 = alice_client.get("/patients/?q=lee&page=3", HTTP_HX_REQUEST="true").content.decode()
    assert "Leo4" in page_3 and "Next" not in page_3 and "Previous" in page_3 and "Page 3<" in page_3


@pytest.mark.django_db
def test_a_common_word_reads_a_bounded_set_of_matches_led_by_the_term_index(alice, monkeypatch):
    """The matches are read from the term index first, at most SEARCH_MATCHES patients by id, and
    only then sorted by name: PostgreSQL, asked for the clinic's patients in name order filtered by
    the terms, walked the whole name index for a common word (1.2 s for "smi" at 100,000
    patients). Every page of one search reads the same set; a second word filters inside it."""
    from dryneedling.patients import selectors

    monkeypatch.setattr(selectors, "SEARCH_MATCHES", 3)
    made = [_make(alice, given, "Smith") for given in ["Eve", "Dan", "Cat", "Bob", "Ann"]]
    found = list(patient_list_for(actor=alice, query="smi"))
    assert [p.given_name for p in found] == ["Cat", "Dan", "Eve"]  # the first three by id, sorted by name
    assert {p.pk for p in found} == {p.pk for p in made[:3]}
    assert _names(patient_list_for(actor=alice, query="smi ann")) == ["Ann"]  # the second word: not capped away
    assert _names(patient_list_for(actor=alice, query="ann smi")) == ["Ann"]
    with CaptureQueriesContext(connection) as queries:
        list(patient_list_for(actor=alice, query="smi"))
    assert "LIMIT 3" in queries[-1]["sql"] and "ORDER BY" in queries[-1]["sql"]
