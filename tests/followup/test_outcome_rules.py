"""A clinic's MCID rules and the verdicts stored with each score (issue 11): the defaults of common
practice with their sources, the NPRS rule (2 points or 30 %) recorded with the verdict, a clinic's own
MCIDs, the MDC of the episode's body region, and the settings page."""

# ruff: noqa: F811
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dryneedling.accounts.models import AuditEvent
from dryneedling.followup.outcome_rules import outcome_rules_set, rules_of
from dryneedling.followup.services import outcome_record
from tests.conftest import csrf_token
from tests.followup.test_services import screened_patient

pytestmark = pytest.mark.django_db
URL = "/clinic/settings/outcomes/"


def _scores(actor, episode, instrument_id, *totals):  # type: ignore[no-untyped-def]
    return [outcome_record(actor=actor, episode=episode, instrument_id=instrument_id, total=t) for t in totals]


def test_default_verdicts_name_the_rule_and_source(alice):
    _, episode = screened_patient(alice, "A-0101", "Nora", "Neck")  # M54.2: neck
    baseline, follow = _scores(alice, episode, "nprs", 6, 4)
    assert baseline.verdict is None  # the baseline is not judged against itself
    v = follow.verdict
    assert (v["rule"], v["mcid"], v["responder"], v["overridden"]) == ("points", 2.0, True, False)
    assert "Farrar" in v["citation"] and v["evidence"] == "M"
    assert (v["region"], v["mdc"], v["beyond_mdc"]) == ("neck", 4.0, False)  # Kovacs 2008, neck
    ndi = _scores(alice, episode, "ndi", 20, 13)[1].verdict
    assert (ndi["mcid"], ndi["responder"]) == (7.5, False) and "Young" in ndi["citation"]


def test_low_back_episode_gets_the_low_back_mdc(alice):
    from dryneedling.patients.models import EpisodeCondition

    _, episode = screened_patient(alice, "A-0102", "Lena", "Back")
    EpisodeCondition.unscoped.filter(episode=episode).update(code="M54.50", text="Low back pain, unspecified")
    v = _scores(alice, episode, "nprs", 7, 4)[1].verdict
    assert (v["region"], v["mdc"], v["beyond_mdc"]) == ("low_back", 2.0, True)  # Childs 2005
    odi = _scores(alice, episode, "odi", 40, 30)[1].verdict
    assert (odi["mcid"], odi["responder"]) == (10.0, True) and "Ostelo" in odi["citation"]


def test_the_clinic_rule_is_stored_with_the_verdict_and_later_changes_keep_it(alice, dana, clinic_a):
    _, episode = screened_patient(alice, "A-0103", "Rita", "Rule")
    outcome_rules_set(actor=dana, nprs_rule="relative", mcids={"ndi": 5.0})
    first = _scores(alice, episode, "nprs", 9, 7)[1]  # 2 points, but 30 % of 9 is 2.7
    assert (first.verdict["rule"], first.verdict["relative_percent"], first.verdict["responder"]) == (
        "relative",
        30,
        False,
    )
    assert _scores(alice, episode, "ndi", 20, 14)[1].verdict["mcid"] == 5.0
    outcome_rules_set(actor=dana, nprs_rule="points")
    first.refresh_from_db()
    assert first.verdict["rule"] == "relative"  # recorded under the rule of its day
    later = _scores(alice, episode, "nprs", 7)[0]
    assert (later.verdict["rule"], later.verdict["mcid"], later.verdict["responder"]) == ("points", 2.0, True)
    assert rules_of(clinic_id=clinic_a.pk).mcids == {}


def test_groc_verdict_uses_the_clinic_threshold(alice, dana):
    from dryneedling.followup.outcome_rules import Rules, verdict_for

    default = verdict_for(rules=Rules(), instrument_id="groc", baseline=None, value=4, context=None)
    assert default is not None and (default["threshold"], default["responder"]) == (4, True)
    assert "Jaeschke" in default["citation"]
    own = verdict_for(rules=Rules(groc_threshold=5), instrument_id="groc", baseline=None, value=4, context=None)
    assert own is not None and (own["threshold"], own["responder"], own["overridden"]) == (5, False, True)


def test_rules_are_audited_by_field_names(dana):
    outcome_rules_set(actor=dana, nprs_rule="relative", nprs_relative_percent=40, mcids={"odi": 8, "ndi": None})
    event = AuditEvent.objects.get(action="clinic.outcome_rules.set")
    assert event.detail == {"fields": ["nprs_rule", "nprs_relative_percent", "mcid_odi"]}


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"nprs_rule": "half"}, "nprs_rule"),
        ({"nprs_rule": "relative", "nprs_relative_percent": 100}, "nprs_relative_percent"),
        ({"nprs_rule": "points", "mcids": {"ndi": 60}}, "mcid_ndi"),
        ({"nprs_rule": "points", "mcids": {"ndi": 0}}, "mcid_ndi"),
        ({"nprs_rule": "points", "mcids": {"ppt": 1}}, "mcid_ppt"),
        ({"nprs_rule": "points", "groc_threshold": 8}, "groc_threshold"),
    ],
)
def test_bad_rules_are_field_errors(dana, kwargs, field):
    with pytest.raises(ValidationError) as error:
        outcome_rules_set(actor=dana, **kwargs)
    assert field in error.value.message_dict


def test_only_a_clinic_admin_sets_rules(alice, bob):
    for actor in (alice, bob):
        with pytest.raises(PermissionDenied, match="Only a clinic admin"):
            outcome_rules_set(actor=actor, nprs_rule="relative")


def test_the_page_shows_defaults_with_sources_and_saves(dana_client, clinic_a):
    page = dana_client.get(URL).content.decode()
    for words in ("Young", "Ostelo", "Farrar", "7.5 points", "Jaeschke", "30 %"):
        assert words in page, words
    token = csrf_token(dana_client, URL)
    done = dana_client.post(URL, {"csrfmiddlewaretoken": token, "nprs_rule": "relative", "mcid_ndi": "6"}, follow=True)
    assert "Outcome rules saved" in done.content.decode()
    rules = rules_of(clinic_id=clinic_a.pk)
    assert (rules.nprs_rule, dict(rules.mcids)) == ("relative", {"ndi": 6.0})
    bad = dana_client.post(URL, {"csrfmiddlewaretoken": token, "nprs_rule": "points", "mcid_ndi": "80"})
    assert bad.status_code == 200 and "at most 50 points" in bad.content.decode()
    assert 'value="80"' in bad.content.decode()  # the input is kept
    assert rules_of(clinic_id=clinic_a.pk).mcids == {"ndi": 6.0}


def test_non_admins_are_told_why(alice_client):
    page = alice_client.get(URL)
    assert page.status_code == 403 and "Only a clinic admin" in page.content.decode()
