"""Tenancy as a mechanism (issue 9): every model holding patient data is clinic-scoped, an unscoped
query of it raises, and the acting membership is read once per request."""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

import dryneedling
from dryneedling.accounts.tenancy import ClinicScoped, UnscopedQuery
from dryneedling.patients.models import Episode, Patient
from tests.treatment.conftest import episode_a, finish, ready_episode, start_session  # noqa: F401  (fixtures)

SRC = pathlib.Path(dryneedling.__file__).parent

# Modules allowed to read patient data through `Model.unscoped`, and why. A new entry is a
# decision to review, not a shortcut: everything else scopes with for_actor / for_clinic.
UNSCOPED_ALLOWED = {
    "patients/selectors.py": "a refused id's owning clinic, for that clinic's audit trail",
    "followup/links.py": "a patient link carries only a token; the link's row gives the clinic",
    "followup/services.py": "the reminder job (send-due), which runs across clinics",
}


def _patient_data_models() -> list[type[models.Model]]:
    """Patient, and every model with a relation path to it (the general rule, not a list)."""
    found: set[type[models.Model]] = {Patient}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in found or not model.__module__.startswith("dryneedling."):
                continue
            targets = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
            if targets & found:
                found.add(model)
                changed = True
    return sorted(found, key=lambda m: m._meta.label)


def test_every_model_holding_patient_data_is_clinic_scoped() -> None:
    models_found = _patient_data_models()
    assert len(models_found) >= 15
    missing = [m._meta.label for m in models_found if not issubclass(m, ClinicScoped)]
    assert not missing, f"models with patient data but no clinic scope: {missing}"


EVALUATIONS: dict[str, Callable[[Any], Any]] = {
    "list": lambda qs: list(qs.all()),
    "get": lambda qs: qs.get(pk=1),
    "first": lambda qs: qs.first(),
    "count": lambda qs: qs.count(),
    "exists": lambda qs: qs.exists(),
    "values_list": lambda qs: list(qs.values_list("pk", flat=True)),
    "iterator": lambda qs: list(qs.iterator()),
    "aggregate": lambda qs: qs.aggregate(n=models.Count("pk")),
    "update": lambda qs: qs.filter(pk=-1).update(pk=-1),
    "delete": lambda qs: qs.filter(pk=-1).delete(),
    "filtered by clinic by hand": lambda qs: list(qs.filter(pk__gt=0)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("how", sorted(EVALUATIONS))
def test_an_unscoped_query_of_patient_data_raises(how: str) -> None:
    for model in _patient_data_models():
        with pytest.raises(UnscopedQuery, match="scope the query"):
            EVALUATIONS[how](model.objects)


@pytest.mark.django_db
def test_for_actor_sees_only_the_actors_clinic(alice, bob, carol, patient_a) -> None:  # type: ignore[no-untyped-def]
    from dryneedling.patients.services import patient_create

    other = patient_create(
        actor=carol,
        mrn="B-1",
        given_name="Other",
        family_name="Clinic",
        date_of_birth=patient_a.date_of_birth,
        sex="female",
        phone="",
    )
    assert list(Patient.objects.for_actor(alice)) == [patient_a]
    assert list(Patient.objects.for_actor(carol)) == [other]
    assert list(Patient.objects.for_clinic(patient_a.clinic_id)) == [patient_a]
    assert Episode.objects.for_actor(carol).count() == 0
    # a scope survives chaining
    assert Patient.objects.for_actor(alice).filter(mrn="A-0001").exclude(pk=-1).get() == patient_a


@pytest.mark.django_db
def test_related_managers_of_a_scoped_record_run(alice, patient_a) -> None:  # type: ignore[no-untyped-def]
    patient = Patient.objects.for_actor(alice).get()
    assert [e.pk for e in patient.episodes.all()] == list(Episode.objects.for_actor(alice).values_list("pk", flat=True))
    prefetched = Patient.objects.for_actor(alice).prefetch_related("episodes").get()
    assert len(prefetched.episodes.all()) == 1


def _modules_using_unscoped() -> dict[str, int]:
    used: dict[str, int] = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        hits = sum(1 for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "unscoped")
        if hits:
            used[str(path.relative_to(SRC))] = hits
    used.pop("accounts/tenancy.py", None)
    return used


def test_unscoped_reads_are_confined_to_the_reviewed_modules() -> None:
    used = set(_modules_using_unscoped())
    extra = sorted(used - set(UNSCOPED_ALLOWED))
    assert not extra, f"`.unscoped` outside the reviewed modules (scope with for_actor/for_clinic): {extra}"
    stale = sorted(set(UNSCOPED_ALLOWED) - used)
    assert not stale, f"no longer uses `.unscoped`: drop it from the list: {stale}"


@pytest.mark.django_db
def test_the_patient_page_reads_the_membership_once(alice, alice_client, patient_a, ready_episode) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    finish(alice, start_session(alice, ready_episode))
    # the first view issues the check-in's patient link (one read, one insert, one audit row);
    # the count below is the page as staff see it every other time
    assert alice_client.get(f"/patients/{patient_a.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert alice_client.get(f"/patients/{patient_a.pk}/").status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert sum('FROM "accounts_membership"' in s for s in sql) == 1, sql
    # 24 before (8 of them the membership); the rest are the page's own reads, plus (issue 10)
    # the navigation's one COUNT of open red flags, read for clinicians on every page, and the
    # patient's coming appointments, and the "Links for the patient" section: the patient's
    # sendings and home-care plans; and (issue 11) one read each for the soreness trends and the
    # stored outcome verdicts
    assert sum('FROM "followup_alert"' in s and "COUNT(" in s for s in sql) <= 2, sql
    assert sum('FROM "scheduling_appointment"' in s for s in sql) == 1, sql
    assert sum('FROM "followup_sorenessreading"' in s for s in sql) == 1, sql
    assert len(sql) <= 23, len(sql)


@pytest.mark.django_db
def test_a_changed_role_is_seen_by_the_next_request(alice, alice_client, patient_a) -> None:  # type: ignore[no-untyped-def]
    """The cache lives for one request: a role changed between requests applies at once."""
    from dryneedling.accounts.models import Membership, Role

    assert alice_client.get(f"/patients/{patient_a.pk}/consent/").status_code == 200
    Membership.objects.filter(user=alice).update(role=Role.FRONT_DESK, is_front_desk=True, is_clinician=False)
    assert alice_client.get(f"/patients/{patient_a.pk}/consent/").status_code == 403
