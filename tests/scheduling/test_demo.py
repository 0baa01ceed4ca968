"""`make demo` shows a populated, coherent day: today's appointments for each demo clinician (every
member holding the clinician role, Erin the clinic admin too), in clinic time; nothing clinical dated
after the moment the demo was built; new patients continue the seeded patients' MRN series."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

pytestmark = pytest.mark.django_db

SMALL = (("riverside", "Riverside", 40, 1), ("hilltop", "Hilltop", 12, 2))
# Dates that name what is planned, not what happened: they may lie ahead.
SCHEDULE_FIELDS = {
    ("followup.CheckIn", "due_at"),
    ("followup.CheckIn", "expires_at"),
    ("followup.PatientLink", "expires_at"),
    ("scheduling.Appointment", "starts_at"),
    ("scheduling.Appointment", "ends_at"),
}
CLINICAL_APPS = ("patients", "intake", "treatment", "followup", "safetyrecords", "scheduling")


@pytest.fixture
def small_demo(monkeypatch):  # type: ignore[no-untyped-def]
    from dryneedling import demo

    monkeypatch.setattr(demo, "DEMO_CLINICS", SMALL)
    before = timezone.now()
    demo.demo_load()
    demo.demo_load()  # idempotent
    return before


def test_the_demo_has_todays_book_in_each_clinics_zone(small_demo):
    from dryneedling import demo
    from dryneedling.accounts.models import Clinic, User
    from dryneedling.scheduling import rules
    from dryneedling.scheduling.models import Appointment
    from dryneedling.scheduling.selectors import clinic_today

    for clinic in Clinic.objects.all():
        assert clinic.time_zone == demo.DEMO_ZONES[clinic.slug]
        start, end = rules.day_bounds(clinic_today(clinic), clinic.time_zone)
        for clinician in User.objects.filter(membership__clinic=clinic, membership__is_clinician=True):
            today = Appointment.objects.for_clinic(clinic).filter(
                clinician=clinician, starts_at__gte=start, starts_at__lt=end
            )
            assert today.count() >= 10
            first = today.order_by("starts_at").first()
            assert first is not None
            assert first.starts_at.astimezone(rules.zone(clinic.time_zone)).strftime("%H:%M") == "08:00"


def test_erin_clinic_admin_and_clinician_has_hours_and_a_book(small_demo):
    from dryneedling.accounts.models import User
    from dryneedling.scheduling.models import Appointment, WorkingHours

    erin = User.objects.get(email="erin@demo.test")
    assert erin.membership.role == "clinic_admin" and erin.membership.is_clinician
    assert WorkingHours.objects.filter(clinician=erin).count() == 7
    assert Appointment.objects.for_clinic(erin.membership.clinic).filter(clinician=erin).exists()


def _clinical_date_fields():  # type: ignore[no-untyped-def]
    for app in CLINICAL_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.DateField) and (model._meta.label, field.name) not in SCHEDULE_FIELDS:
                    yield model, field


def test_nothing_clinical_is_dated_after_the_demo_was_built(small_demo):
    from dryneedling.accounts.models import Clinic
    from dryneedling.scheduling import rules
    from dryneedling.scheduling.models import Appointment

    now = timezone.now()
    checked = 0
    for model, field in _clinical_date_fields():
        has_clinic = hasattr(model._default_manager, "for_clinic")
        for clinic in Clinic.objects.all():
            if isinstance(field, models.DateTimeField):
                limit: object = now
            else:  # a date: the clinic's own today
                limit = now.astimezone(ZoneInfo(clinic.time_zone)).date()
            manager = model._default_manager
            rows = manager.for_clinic(clinic) if has_clinic else manager.all()
            later = rows.filter(**{f"{field.name}__gt": limit})
            assert not later.exists(), f"{model._meta.label}.{field.name} after {limit} in {clinic.slug}"
            checked += rows.exclude(**{f"{field.name}__isnull": True}).count()
    assert checked > 1000
    # Today's book: what has begun is done, missed or arrived; what lies ahead is booked.
    for clinic in Clinic.objects.all():
        book = Appointment.objects.for_clinic(clinic)
        assert {a.status for a in book.filter(starts_at__lte=now)} <= {rules.DONE, rules.NO_SHOW, rules.ARRIVED}
        assert {(a.status, a.arrived_at) for a in book.filter(starts_at__gt=now)} <= {(rules.BOOKED, None)}


def test_a_new_patient_continues_the_seeded_patients_mrn_series(small_demo):
    from dryneedling.accounts.models import User
    from dryneedling.patients.models import Patient
    from dryneedling.patients.services import patient_create

    bob = User.objects.get(email="bob@demo.test")
    clinic = bob.membership.clinic
    seeded = list(Patient.objects.for_clinic(clinic).order_by("mrn").values_list("mrn", flat=True))
    new = patient_create(
        actor=bob, given_name="New", family_name="Patient", date_of_birth=date(1980, 1, 1), sex="female"
    )
    assert len(new.mrn) == len(seeded[-1]) and new.mrn > seeded[-1]
    assert new.mrn[:-3] == seeded[-1][:-3]  # the same series: only the number grows
