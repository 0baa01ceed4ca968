"""One free-text rule for every form (issue 9): no Unicode control or format characters (NUL, the
right-to-left override U+202E, a zero-width space), tab and newlines in multi-line text only.

NUL answered 500 on PostgreSQL and was silently stored on SQLite; U+202E turns "gnp.exe" into
"exe.png" on a superbill. The check lives in the forms' base class (web/forms/base.py), so these
tests look at every form of the web layer, then at the views that used to read request.POST raw.
"""

# ruff: noqa: F811
from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms

import dryneedling.web
from dryneedling.web.forms.base import FreeTextMixin
from tests.conftest import PASSWORD, csrf_token
from tests.followup.test_links_and_pages import path_of, post_public
from tests.treatment.conftest import episode_a, ready_episode, session_a  # noqa: F401  (fixtures)

HOSTILE = {"NUL": "Zelda\x00Quimby", "RLO": "Zelda \u202eexe.png", "ZWSP": "Zel\u200bda", "BEL": "a\x07b"}


def _form_modules() -> list[Any]:
    """Every module of the web layer (forms live in web/forms/, but a form declared anywhere counts)."""
    names = [m.name for m in pkgutil.walk_packages(dryneedling.web.__path__, "dryneedling.web.")]
    return [importlib.import_module(name) for name in names]


def _form_classes() -> list[type[forms.BaseForm]]:
    return [
        cls
        for module in _form_modules()
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
    ]


def test_every_web_form_uses_the_free_text_base() -> None:
    classes = _form_classes()
    assert len(classes) >= 20
    missing = [cls.__qualname__ for cls in classes if not issubclass(cls, FreeTextMixin)]
    assert not missing, f"forms without the free-text check (derive from web.forms.base.Form): {missing}"


def _kwargs(cls: type) -> dict[str, Any]:
    from dryneedling.accounts.models import User
    from dryneedling.clinical.intake import QUESTIONS

    someone = User(email="someone@a.test")  # the password forms are for one user

    return {
        "FindingForm": {"region_choices": []},
        "FindingCorrectionForm": {"region_choices": []},
        "SessionStartForm": {"precautions": [{"rule_id": "GR-TEST", "text": "A precaution", "sources": []}]},
        "InsertionForm": {"finding_choices": []},
        "IntakeForm": {"questions": QUESTIONS},
        "SharpsIncidentForm": {"staff": [], "with_patients": True},
        "AnalyticsFilterForm": {"clinicians": []},
        "HomeCarePlanForm": {"plan": {"sections": [{"items": [{"id": "x1", "instructions": "i", "dose": None}]}]}},
        "SetNewPasswordForm": {"user": someone},
        "PasswordChangeForm": {"user": someone},
    }.get(cls.__name__, {})


def _text_fields() -> list[tuple[type, str, bool]]:
    cases = []
    for cls in _form_classes():
        form = cls(data={}, **_kwargs(cls))
        for name, field in form.fields.items():
            # A UUID field (the point form's retry key) is not free text: its format refuses any other text.
            if isinstance(field, forms.CharField) and not isinstance(field, forms.UUIDField):
                cases.append((cls, name, isinstance(field.widget, forms.Textarea)))
    return cases


TEXT_FIELDS = _text_fields()
FIELD_IDS = [f"{cls.__name__}.{name}" for cls, name, _ in TEXT_FIELDS]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize(("cls", "name", "multiline"), TEXT_FIELDS, ids=FIELD_IDS)
def test_every_text_field_refuses_control_characters(cls, name, multiline, kind) -> None:  # type: ignore[no-untyped-def]
    form = cls(data={name: HOSTILE[kind]}, **_kwargs(cls))
    form.is_valid()
    assert name in form.errors, f"{cls.__name__}.{name} accepted {kind}"
    assert any("control characters" in str(m) or "Null characters" in str(m) for m in form.errors[name])


@pytest.mark.django_db
@pytest.mark.parametrize(("cls", "name", "multiline"), TEXT_FIELDS, ids=FIELD_IDS)
def test_newlines_only_in_multiline_text(cls, name, multiline) -> None:  # type: ignore[no-untyped-def]
    form = cls(data={name: "first line\n\tsecond"}, **_kwargs(cls))
    form.is_valid()
    refused = any("control characters" in str(m) for m in form.errors.get(name, []))
    assert refused is not multiline


def test_joiners_that_names_need_are_allowed() -> None:
    from dryneedling.clinical.text import forbidden_characters

    assert forbidden_characters("\u0645\u06cc\u200c\u0631\u0648\u0645", multiline=False) == []  # Persian, ZWNJ
    assert forbidden_characters("x\u202ey\x00", multiline=True) == ["\u202e", "\x00"]


# ---- the views that read request.POST themselves --------------------------------------------------
@pytest.mark.django_db
def test_sign_in_email_with_nul_is_refused_and_the_failure_is_audited(alice, anon_client):
    from dryneedling.accounts.models import AuditEvent

    anon_client.get("/accounts/login/")
    token = anon_client.cookies["csrftoken"].value
    response = anon_client.post(
        "/accounts/login/", {"username": "alice@a.test\x00", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated
    failure = AuditEvent.objects.get(action="auth.login", outcome="failure")
    assert failure.detail["email"] == "alice@a.test\\u0000"  # written out: PostgreSQL refuses a raw NUL


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["NUL", "RLO"])
def test_patient_consent_link_refuses_control_characters(anon_client, alice, patient_a, kind):
    from dryneedling.clinical.education import consent_items
    from dryneedling.followup.consent import consent_link_for
    from dryneedling.treatment.models import Consent

    url = path_of(consent_link_for(actor=alice, patient=patient_a))
    data = {"signed_name": "Zelda Quimby", "items": [i.id for i in consent_items()], "signature": "<svg/>"}
    response = post_public(anon_client, url, data | {"signature": "<svg>" + HOSTILE[kind] + "</svg>"})
    assert response.status_code == 400 and "control characters" in response.content.decode()
    response = post_public(anon_client, url, data | {"signed_name": "Zelda \u202eQuimby"})
    assert response.status_code == 400
    assert not Consent.unscoped.exists()


@pytest.mark.django_db
def test_clinic_consent_signature_refuses_the_right_to_left_override(alice_client, patient_a):
    from dryneedling.treatment.models import Consent

    url = f"/patients/{patient_a.pk}/consent/"
    token = csrf_token(alice_client, url)
    data = {"csrfmiddlewaretoken": token, "signer": "patient", "signed_name": "Zelda \u202eQuimby", "confirmed": "on"}
    response = alice_client.post(url, data)
    assert response.status_code == 200 and "signed_name" in response.context["form"].errors
    assert not Consent.unscoped.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["instructions", "dose", "note"])
def test_home_care_plan_refuses_control_characters(alice, alice_client, ready_episode, field):
    from dryneedling.followup.homecare import home_care_plan_create

    record = home_care_plan_create(actor=alice, episode=ready_episode)
    item = record.plan["sections"][0]["items"][0]
    url = f"/episodes/{ready_episode.pk}/home-care/"
    token = csrf_token(alice_client, url)
    key = "note" if field == "note" else f"{field}-{item['id']}"
    data = {"csrfmiddlewaretoken": token, "version": record.version, f"keep-{item['id']}": "on", key: "Hold\x00 30 s"}
    response = alice_client.post(url, data, follow=True)
    assert "control characters" in response.content.decode()
    record.refresh_from_db()
    assert record.version == 1 and "\x00" not in str(record.plan)


@pytest.mark.django_db
def test_follow_up_task_resolution_refuses_nul(alice, alice_client, session_a):
    from dryneedling.care.adverse import adverse_event_record
    from dryneedling.followup.models import Alert

    adverse_event_record(actor=alice, session=session_a, kind="pneumothorax", severity="serious", onset="after")
    task = Alert.unscoped.get()
    token = csrf_token(alice_client, "/clinic/")
    data = {"csrfmiddlewaretoken": token, "task": task.pk, "resolution": "Chest X-ray\x00 clear"}
    response = alice_client.post("/clinic/", data, follow=True)
    assert "control characters" in response.content.decode()
    task.refresh_from_db()
    assert task.acknowledged_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["NUL", "RLO"])
def test_audit_filter_refuses_control_characters(dana_client, kind):
    response = dana_client.get("/clinic/audit/", {"action": HOSTILE[kind]})
    assert response.status_code == 200
    assert "control characters" in response.content.decode()


def test_check_in_activity_name_refuses_the_right_to_left_override() -> None:
    """The check-in page hands its answers to followup.questions, which applies the same rule."""
    from dryneedling.followup import questions

    answers = {"pain": "5", "activity_1": "Typ\u202eing", "activity_1_score": "4", "groc": "1"}
    answers["adherence"] = "most_days"
    with pytest.raises(ValueError, match="control characters"):
        questions.validate("week_4", answers)
