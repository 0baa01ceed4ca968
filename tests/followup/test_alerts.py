"""One model for what the clinic must follow up: red flags from check-ins and serious side effects."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dryneedling.accounts.models import AuditEvent
from dryneedling.care.adverse import adverse_event_record
from dryneedling.followup.models import Alert, CheckIn
from dryneedling.followup.services import alert_acknowledge
from dryneedling.treatment.services.adverse import adverse_event_record as treatment_adverse_event_record
from tests.treatment import conftest as treatment_fixtures
from tests.treatment.conftest import finish, record

# The treatment fixtures this module's tests ask for by name.
episode_a, ready_episode, session_a = (
    treatment_fixtures.episode_a,
    treatment_fixtures.ready_episode,
    treatment_fixtures.session_a,
)


@pytest.fixture
def both(alice, session_a):  # type: ignore[no-untyped-def]
    """A completed session with a red flag from its check-in and an open serious side effect."""
    serious = adverse_event_record(
        actor=alice, session=session_a, kind="pneumothorax", severity="serious", onset="after"
    )
    record(alice, session_a)
    finish(alice, session_a)
    check_in = CheckIn.unscoped.get(session=session_a)
    red = Alert.unscoped.create(clinic=session_a.clinic, patient=session_a.patient, check_in=check_in, flags=["fever"])
    return red, Alert.unscoped.get(adverse_event=serious)


@pytest.mark.django_db
def test_an_alert_must_have_the_source_of_its_kind(alice, session_a, both):
    red, _ = both
    event = treatment_adverse_event_record(
        actor=alice, session=session_a, kind="bruising", severity="mild", onset="after"
    )
    for bad in (
        {"kind": Alert.Kind.RED_FLAG, "check_in": None, "adverse_event": event},
        {"kind": Alert.Kind.RED_FLAG, "check_in": red.check_in, "adverse_event": event},
        {"kind": Alert.Kind.SERIOUS_SIDE_EFFECT, "check_in": red.check_in, "adverse_event": None},
        {"kind": Alert.Kind.SERIOUS_SIDE_EFFECT, "check_in": None, "adverse_event": None},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Alert.unscoped.create(clinic=red.clinic, patient=red.patient, **bad)
    Alert.unscoped.create(
        clinic=red.clinic, patient=red.patient, kind=Alert.Kind.SERIOUS_SIDE_EFFECT, adverse_event=event
    )


@pytest.mark.django_db
def test_each_page_lists_its_kind(alice_client, both):
    red, serious = both
    followup = alice_client.get("/followup/").content.decode()
    dashboard = alice_client.get("/clinic/").content.decode()
    assert f'name="alert" value="{red.pk}"' in followup and f'value="{serious.pk}"' not in followup
    assert f'name="task" value="{serious.pk}"' in dashboard and f'value="{red.pk}"' not in dashboard


@pytest.mark.django_db
def test_a_red_flag_is_acknowledged_without_a_text_a_side_effect_needs_one(alice, both):
    red, serious = both
    alert_acknowledge(actor=alice, alert_id=red.pk)
    with pytest.raises(ValidationError, match="how it was resolved"):
        alert_acknowledge(actor=alice, alert_id=serious.pk, resolution="  ok ")
    alert_acknowledge(actor=alice, alert_id=serious.pk, resolution="Seen in the ED; X-ray clear.")
    red.refresh_from_db()
    serious.refresh_from_db()
    assert red.acknowledged_by == alice and red.resolution == ""
    assert serious.resolution == "Seen in the ED; X-ray clear." and serious.adverse_event.resolved_at is not None
    closes = AuditEvent.objects.filter(action="alert.acknowledge").order_by("id")
    assert [(e.object_id, e.detail["kind"]) for e in closes] == [
        (str(red.pk), "red_flag"),
        (str(serious.pk), "serious_side_effect"),
    ]
    assert all(e.patient_id == red.patient_id for e in closes)
    with pytest.raises(ValidationError, match="closed already"):
        alert_acknowledge(actor=alice, alert_id=serious.pk, resolution="Again and again.")


@pytest.mark.django_db
def test_front_desk_cannot_close_an_alert(bob, both):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        alert_acknowledge(actor=bob, alert_id=both[1].pk, resolution="Front desk closed it.")
