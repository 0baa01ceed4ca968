"""`make demo` shows a populated day: today's appointments for each demo clinician, in clinic time."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_has_todays_book_in_each_clinics_zone(monkeypatch):
    from dryneedling import demo
    from dryneedling.accounts.models import Clinic, Role, User
    from dryneedling.scheduling import rules
    from dryneedling.scheduling.models import Appointment
    from dryneedling.scheduling.selectors import clinic_today

    monkeypatch.setattr(demo, "DEMO_CLINICS", (("riverside", "Riverside", 12, 1), ("hilltop", "Hilltop", 6, 2)))
    demo.demo_load()
    demo.demo_load()  # idempotent
    for clinic in Clinic.objects.all():
        assert clinic.time_zone == demo.DEMO_ZONES[clinic.slug]
        start, end = rules.day_bounds(clinic_today(clinic), clinic.time_zone)
        for clinician in User.objects.filter(membership__clinic=clinic, membership__role=Role.CLINICIAN):
            today = Appointment.objects.for_clinic(clinic).filter(
                clinician=clinician, starts_at__gte=start, starts_at__lt=end
            )
            assert today.count() >= 10
            first = today.order_by("starts_at").first()
            assert first is not None
            assert first.starts_at.astimezone(rules.zone(clinic.time_zone)).strftime("%H:%M") == "08:00"
