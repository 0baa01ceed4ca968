"""Issue 11: the superbill counts anatomical muscles; a point in a grouped entry may name its muscle."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dryneedling.treatment.billing import superbill_for
from dryneedling.treatment.models import Insertion
from tests.treatment.conftest import record, sign_note
from tests.treatment.test_point_pages import _post

REASON = "Planned depth and angle checked against the hazards named; going ahead."


@pytest.mark.django_db
def test_the_trapezius_session_bills_20560_and_the_superbill_shows_the_count_and_rule(alice, alice_client, session_a):
    for muscle in ("upper_trapezius", "middle_lower_trapezius", "levator_scapulae"):
        record(alice, session_a, muscle_id=muscle, handling="pincer", override_reason=REASON)
    sign_note(alice, session_a)  # only a signed session has a superbill
    context = superbill_for(actor=alice, session_id=session_a.pk)
    assert (context["cpt"].code, context["cpt"].muscle_count) == ("20560", 2)
    page = alice_client.get(f"/sessions/{session_a.pk}/superbill/").content.decode()
    assert "Muscles needled (2, from 3 insertions): Levator scapulae (right), Trapezius (right)." in page
    assert "CPT-ANATOMICAL-MUSCLE" in page and "How the muscles were counted" in page
    assert "CPT-COUNT-MUSCLES" in page and "Terminologia Anatomica" in page


@pytest.mark.django_db
def test_three_hamstrings_named_bill_20561(alice, session_a):
    for member in ("biceps_femoris", "semitendinosus", "semimembranosus"):
        record(alice, session_a, muscle_id="hamstrings", anatomical_muscle=member, override_reason=REASON)
    sign_note(alice, session_a)  # only a signed session has a superbill
    cpt = superbill_for(actor=alice, session_id=session_a.pk)["cpt"]
    assert (cpt.code, cpt.muscle_count) == ("20561", 3)


@pytest.mark.django_db
def test_unnamed_hamstrings_count_once(alice, session_a):
    record(alice, session_a, muscle_id="hamstrings", override_reason=REASON)
    record(alice, session_a, muscle_id="hamstrings")  # the warning's reason was given once this session
    sign_note(alice, session_a)  # only a signed session has a superbill
    cpt = superbill_for(actor=alice, session_id=session_a.pk)["cpt"]
    assert (cpt.code, cpt.muscle_count) == ("20560", 1)
    assert "CPT-GROUPED-UNNAMED" in cpt.rules_applied


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("muscle", "member", "message"),
    [("hamstrings", "rectus_femoris", "Name a muscle of"), ("gluteus_medius", "gluteus_medius", "is one muscle")],
)
def test_a_member_outside_the_entry_is_refused(alice, session_a, muscle, member, message):
    with pytest.raises(ValidationError, match=message):
        record(alice, session_a, muscle_id=muscle, anatomical_muscle=member)
    assert not Insertion.objects.for_actor(alice).exists()


@pytest.mark.django_db
def test_the_point_form_names_the_member_needled(alice_client, session_a):
    html = alice_client.get(f"/sessions/{session_a.pk}/").content.decode()
    assert 'name="anatomical_muscle"' in html and "Semitendinosus" in html
    _post(
        alice_client,
        session_a,
        muscle_id="hamstrings",
        side="left",
        anatomical_muscle="semitendinosus",
        override_reason=REASON,
    )
    (point,) = Insertion.objects.for_actor(session_a.clinician)
    assert (point.muscle_id, point.anatomical_muscle) == ("hamstrings", "semitendinosus")
    html = alice_client.get(f"/sessions/{session_a.pk}/").content.decode()
    assert "Hamstrings (biceps femoris, semitendinosus, semimembranosus): Semitendinosus (left)" in html


@pytest.mark.django_db
def test_a_wrong_member_on_the_form_is_a_field_error(alice_client, session_a):
    response = _post(alice_client, session_a, muscle_id="scalenes", side="left", anatomical_muscle="semitendinosus")
    assert "Name a muscle of Scalenes" in response.content.decode()
    assert not Insertion.objects.for_actor(session_a.clinician).exists()
