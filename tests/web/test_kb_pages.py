from __future__ import annotations

import pytest

from dryneedling.clinical.knowledge import get_knowledge


@pytest.mark.django_db
def test_every_knowledge_page_renders_with_sources(alice_client):
    knowledge = get_knowledge()
    assert alice_client.get("/kb/").status_code == 200
    urls = ["/kb/contraindications/", "/kb/side-effects/", "/kb/evidence/"]
    urls += [f"/kb/muscles/{m}/" for m in knowledge.muscles]
    urls += [f"/kb/conditions/{c}/" for c in knowledge.conditions]
    for url in urls:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Sources" in body and knowledge.version in body, url


@pytest.mark.django_db
def test_muscle_page_draws_trigger_points_and_referral(alice_client):
    body = alice_client.get("/kb/muscles/upper_trapezius/").content.decode()
    assert body.count('class="point trigger-point"') >= 1
    assert "referral-primary" in body
    assert 'role="img"' in body


@pytest.mark.django_db
def test_unknown_entries_are_404_and_pages_need_login(alice_client, anon_client):
    assert alice_client.get("/kb/muscles/no_such_muscle/").status_code == 404
    assert alice_client.get("/kb/conditions/no_such_condition/").status_code == 404
    assert anon_client.get("/kb/").status_code == 302


@pytest.mark.django_db
def test_side_effect_rates_show_brady_and_boyce_figures(alice_client):
    body = alice_client.get("/kb/side-effects/").content.decode()
    assert "7.55" in body and "4.65" in body  # bruising, bleeding per treatment (Brady 2014)


@pytest.mark.django_db
def test_sources_of_doubtful_standing_carry_a_badge(alice_client):
    body = alice_client.get("/kb/muscles/piriformis/").content.decode()
    assert "clinic or practitioner site" in body  # Aberdeen Chiropractic blog, Pure Physio
    flexor = alice_client.get("/kb/muscles/flexor_digitorum_brevis/").content.decode()
    assert "consumer site" in flexor and "metatarsals 2-4" in flexor


@pytest.mark.django_db
def test_new_muscles_render_with_chart_and_hazards(alice_client):
    body = alice_client.get("/kb/muscles/intercostals/").content.decode()
    assert body.count('class="point trigger-point"') >= 1 and "Pleura and lung" in body
    contra = alice_client.get("/kb/contraindications/").content.decode()
    assert 'id="ci-implants"' in contra and 'id="ci-breast_tissue"' in contra
