"""Lists on an episode are bounded (issue 9): 8,000 ICD-10 codes were accepted on one episode and
10,000 findings made the chart page 3.3 MB. Limits live in the services, with words; the chart
page shows findings a page at a time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dryneedling.patients.limits import MAX_CONDITIONS_PER_EPISODE, MAX_FINDINGS_PER_EPISODE
from tests.conftest import csrf_token

pytestmark = pytest.mark.django_db


def _codes(count: int) -> list[tuple[str, str]]:
    return [(f"M{10 + i // 10}.{i % 10}", f"Condition {i}") for i in range(count)]


def test_limits_are_the_recorded_decision():
    assert (MAX_CONDITIONS_PER_EPISODE, MAX_FINDINGS_PER_EPISODE) == (20, 500)


def test_episode_services_refuse_more_than_20_conditions(alice, patient_a):
    from dryneedling.patients.services import episode_create, episode_update

    episode = patient_a.episodes.get()
    fields = {"reason": "Neck pain", "referral_source": "self", "start_date": date(2026, 1, 5), "status": "active"}
    with pytest.raises(ValidationError, match="at most 20 diagnosis codes"):
        episode_create(actor=alice, patient=patient_a, conditions=_codes(21), **fields)
    with pytest.raises(ValidationError, match="at most 20 diagnosis codes"):
        episode_update(actor=alice, episode=episode, conditions=_codes(8000), **fields)
    episode_update(actor=alice, episode=episode, conditions=_codes(20), **fields)
    assert episode.conditions.count() == 20


def test_episode_form_says_how_many_codes_fit(alice_client, patient_a):
    url = f"/patients/{patient_a.pk}/episodes/new/"
    token = csrf_token(alice_client, url)
    lines = "\n".join(f"{code} {text}" for code, text in _codes(21))
    data = {
        "csrfmiddlewaretoken": token,
        "reason": "Neck pain",
        "conditions": lines,
        "referral_source": "self",
        "start_date": "2026-01-05",
        "status": "active",
    }
    response = alice_client.post(url, data)
    assert response.status_code == 200
    assert "at most 20 diagnosis codes" in " ".join(response.context["form"].errors["conditions"])
    assert patient_a.episodes.count() == 1


def _bulk_findings(alice, episode, count: int) -> None:  # type: ignore[no-untyped-def]
    from dryneedling.treatment.models import Finding

    now = timezone.now()
    Finding.unscoped.bulk_create(
        Finding(
            clinic=episode.clinic,
            patient=episode.patient,
            episode=episode,
            recorded_by=alice,
            muscle_id="upper_trapezius",
            side="left",
            view="back",
            x=120,
            y=80,
            status="active",
            tenderness=i % 11,
            recorded_at=now - timedelta(minutes=count - i),
        )
        for i in range(count)
    )


def test_finding_create_refuses_the_501st_finding(alice, patient_a):
    from dryneedling.treatment.services.chart import finding_create

    episode = patient_a.episodes.get()
    _bulk_findings(alice, episode, MAX_FINDINGS_PER_EPISODE)
    with pytest.raises(ValidationError, match="at most 500 findings"):
        finding_create(
            actor=alice,
            episode=episode,
            view="back",
            x=120.0,
            y=80.0,
            muscle_id="upper_trapezius",
            side="right",
            status="active",
            tenderness=5,
        )


def test_chart_page_shows_findings_a_page_at_a_time(alice, alice_client, patient_a):
    episode = patient_a.episodes.get()
    _bulk_findings(alice, episode, 250)
    response = alice_client.get(f"/episodes/{episode.pk}/chart/")
    body = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["findings"]) == 100
    assert "Showing the latest 100 of 250 findings" in body and "Page 1 of 3" in body
    assert len(response.content) < 400_000
    older = alice_client.get(f"/episodes/{episode.pk}/chart/", {"page": "3"})
    assert len(older.context["findings"]) == 50 and "Page 3 of 3" in older.content.decode()
