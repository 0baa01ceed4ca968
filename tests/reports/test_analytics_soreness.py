"""Soreness after needling by technique (issue 12): mean soreness at 0/24/48/72 h with t intervals,
a session counted under the technique of most of its points."""

from __future__ import annotations

import pytest

from dryneedling.clinical.stats import mean_interval
from dryneedling.followup.models import SorenessReading
from dryneedling.reports.analytics.dashboard import csv_rows
from dryneedling.reports.analytics.filters import Filters
from dryneedling.reports.analytics.soreness import soreness_by_technique
from dryneedling.treatment.models import Insertion
from tests.reports import factory as f

pytestmark = pytest.mark.django_db


def _read(session, readings: dict[int, int]) -> None:  # type: ignore[no-untyped-def]
    for hours, score in readings.items():
        SorenessReading.objects.create(
            clinic=session.clinic, patient=session.patient, session=session, hours=hours, score=score,
            source="clinic" if hours == 0 else "patient",
        )  # fmt: skip


def _static(session, points: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(points):
        Insertion.objects.create(
            session=session, muscle_id="upper_trapezius", side="left", technique="static", needle_diameter_mm="0.30",
            needle_length_mm=30, planned_seconds=30, actual_seconds=30, performed_by=session.clinician,
        )  # fmt: skip


def _row(figures, technique: str, hours: int):  # type: ignore[no-untyped-def]
    return next(r for r in figures.rows if r.technique == technique and r.hours == hours)


def test_means_by_hour_and_main_technique(clinic_a, clinic_b, alice, mia, carol):  # type: ignore[no-untyped-def]
    one, two, three = (f.session(f.episode(clinic_a), alice) for _ in range(3))  # one pistoning point each
    _read(one, {0: 6, 24: 4, 48: 2})
    _read(two, {0: 4, 24: 2})
    _static(three, 2)  # two static points beside one pistoning: a static session
    _read(three, {0: 8, 24: 7})
    other = f.session(f.episode(clinic_b), carol)  # another clinic: never counted
    _read(other, {0: 10})

    figures = soreness_by_technique(Filters(clinic=clinic_a))
    assert {r.technique for r in figures.rows} == {"pistoning", "static"}  # no electrical session: no rows
    zero = _row(figures, "pistoning", 0)
    assert zero.readings == 2 and zero.mean.estimate == pytest.approx(5.0)
    expected = mean_interval([6, 4])
    assert (zero.mean.low, zero.mean.high) == (pytest.approx(expected.low), pytest.approx(expected.high))
    assert _row(figures, "pistoning", 48).readings == 1 and _row(figures, "pistoning", 48).mean.low is None
    assert _row(figures, "pistoning", 72).readings == 0 and _row(figures, "pistoning", 72).mean.estimate is None
    assert _row(figures, "static", 0).mean.estimate == pytest.approx(8.0)
    assert figures.readings == 7
    assert any("Navarro-Santana" in s for s in figures.sources)
    assert soreness_by_technique(Filters(clinic=clinic_a, clinician_id=mia.pk)).readings == 0

    rows = list(csv_rows("soreness", figures))
    assert rows[0] == ["technique", "hours", "readings", "mean_soreness", "ci_low", "ci_high"]
    assert len(rows) == 1 + 8


def test_the_dashboard_shows_the_soreness_section(clinic_a, alice, dana_client):  # type: ignore[no-untyped-def]
    session = f.session(f.episode(clinic_a), alice)
    _read(session, {0: 5, 24: 3})
    page = dana_client.get("/analytics/")
    assert page.status_code == 200
    assert b"Soreness after needling, by technique" in page.content
    svg = dana_client.get("/analytics/soreness.svg")
    assert svg.status_code == 200 and b"<title" in svg.content and b"0 h mean 5.0" in svg.content
    csv = dana_client.get("/analytics/soreness.csv")
    assert csv.status_code == 200 and b"Pistoning" in csv.content


def test_the_main_technique_follows_the_points_however_written():  # type: ignore[no-untyped-def]
    from dryneedling.treatment.models import main_technique_of

    assert main_technique_of([]) == ""
    assert main_technique_of(["static", "pistoning"]) == "pistoning"  # a tie: pistoning, static, electrical
    assert main_technique_of(["electrical", "static"]) == "static"
    assert main_technique_of(["electrical", "electrical", "pistoning"]) == "electrical"


def test_the_session_keeps_its_main_technique_as_points_change(clinic_a, alice):  # type: ignore[no-untyped-def]
    from dryneedling.treatment.models import Session

    session = f.session(f.episode(clinic_a), alice)  # one pistoning point
    stored = Session.objects.for_clinic(clinic_a).values_list("main_technique", flat=True)
    assert stored.get(pk=session.pk) == "pistoning"
    _read(session, {0: 5})  # the reading takes the session's technique ...
    reading = SorenessReading.objects.for_clinic(clinic_a).values_list("technique", flat=True)
    assert reading.get(session=session) == "pistoning"
    _static(session, 2)
    assert stored.get(pk=session.pk) == "static" and reading.get(session=session) == "static"  # ... and keeps it
    Insertion.objects.for_clinic(clinic_a).filter(session=session, technique="static").first().delete()
    assert stored.get(pk=session.pk) == "pistoning"  # one each again: the tie goes to pistoning
    assert reading.get(session=session) == "pistoning"
    assert _row(soreness_by_technique(Filters(clinic=clinic_a)), "pistoning", 0).readings == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_main_technique_of_existing_sessions(clinic_a, alice):  # type: ignore[no-untyped-def]
    from importlib import import_module

    from django.apps import apps

    from dryneedling.treatment.models import Session

    session = f.session(f.episode(clinic_a), alice)
    _static(session, 2)
    _read(session, {0: 5})
    Session.objects.for_clinic(clinic_a).update(main_technique="")
    SorenessReading.objects.for_clinic(clinic_a).update(technique="")
    import_module("dryneedling.treatment.migrations.0010_session_main_technique").fill(apps, None)
    import_module("dryneedling.followup.migrations.0011_soreness_reading_technique").fill(apps, None)
    assert Session.objects.for_clinic(clinic_a).get(pk=session.pk).main_technique == "static"
    assert SorenessReading.objects.for_clinic(clinic_a).get(session=session).technique == "static"
