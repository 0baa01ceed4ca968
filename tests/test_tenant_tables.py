"""Every table holding patient data carries its clinic (issue 14, docs/scale-out.md).

Distributing the database by `clinic_id` (Citus, for clinic networks) and any per-clinic
operation (export, deletion, moving a clinic to another server) need the clinic on every row, not
only one join away. The first rule of docs/scale-out.md is checked here, on the models and on the
migrated database (both engines): every model holding patient data (a subclass of
`accounts.tenancy.ClinicScoped`, or any model with a relation path to Patient)
has a `clinic_id` column, a foreign key to the clinic. The exceptions are listed below, each with
its reason; a NEW table without `clinic_id` fails here until it carries one (preferred) or is
added to the list with a reason a reviewer accepts.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models

from dryneedling.accounts.models import Clinic
from dryneedling.accounts.tenancy import ClinicScoped
from tests.accounts.test_tenancy import _patient_data_models

# Child tables reached through their parent (ClinicScoped.clinic_path). Each is a detail row that
# is never read without its parent; for distribution it would be co-located through the parent's
# clinic only after gaining its own clinic_id (docs/scale-out.md, "What the schema must keep true").
WITHOUT_CLINIC_ID: dict[str, str] = {
    "patients.EpisodeCondition": "an episode's coded diagnoses (clinic via episode); written with the episode only",
    "treatment.Insertion": "a session's needle points (clinic via session): the largest table; adding clinic_id "
    "is a migration over 10^6+ rows, planned with the Citus step, not done yet",
    "treatment.NoteAmendment": "an amendment of a signed note (clinic via note); append-only, read with the note",
}


def _patient_models() -> list[type[models.Model]]:
    """The ClinicScoped models and every model with a relation path to Patient (the tenancy test's
    rule, so a child of a child is found even if it forgot to derive from ClinicScoped)."""
    found = {m for m in apps.get_models() if issubclass(m, ClinicScoped)} | set(_patient_data_models())
    return sorted(found, key=lambda m: m._meta.label)


def _clinic_field(model: type[models.Model]) -> models.Field | None:  # type: ignore[type-arg]
    for field in model._meta.concrete_fields:
        if field.column == "clinic_id":
            return field
    return None


def test_the_models_holding_patient_data_are_found() -> None:
    labels = {m._meta.label for m in _patient_models()}
    assert {"patients.Patient", "treatment.Session", "treatment.Insertion", "followup.OutcomeRecord"} <= labels


def test_every_model_holding_patient_data_has_a_clinic_id_foreign_key() -> None:
    missing = []
    for model in _patient_models():
        field = _clinic_field(model)
        if field is None:
            if model._meta.label not in WITHOUT_CLINIC_ID:
                missing.append(model._meta.label)
            continue
        assert field.related_model is Clinic, f"{model._meta.label}.clinic_id is not a foreign key to Clinic"
    assert not missing, (
        f"{missing} hold patient data without a clinic_id column: add `clinic` (a ForeignKey to Clinic) "
        "or, with a reason, list the model in WITHOUT_CLINIC_ID (docs/scale-out.md)"
    )


def test_the_allow_list_is_not_stale() -> None:
    """An entry whose model gained clinic_id (or went away) is removed from the list."""
    found = {m._meta.label: m for m in _patient_models()}
    for label in WITHOUT_CLINIC_ID:
        assert label in found, f"{label} is listed in WITHOUT_CLINIC_ID but holds no patient data (or is gone)"
        assert _clinic_field(found[label]) is None, f"{label} has clinic_id now: remove it from WITHOUT_CLINIC_ID"


@pytest.mark.django_db
def test_the_migrated_tables_carry_the_column() -> None:
    """The database agrees with the models (migrations applied, on this engine)."""
    with connection.cursor() as cursor:
        for model in _patient_models():
            if model._meta.label in WITHOUT_CLINIC_ID:
                continue
            columns = {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}
            assert "clinic_id" in columns, model._meta.db_table
