"""Roles that fit the work (issue 10): a role *set* per member, the capabilities table, and what
each role sees and is refused, in services, selectors and pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape

from tests.conftest import csrf_token
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)

README = Path(__file__).resolve().parents[2] / "README.md"


# ---- the role set ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_member_holds_a_set_of_roles(alice, bob, dana, mia):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import Membership

    assert Membership.objects.get(user=alice).roles == {"clinician"}
    assert Membership.objects.get(user=bob).roles == {"front_desk"}
    assert Membership.objects.get(user=dana).roles == {"clinic_admin"}
    m = Membership.objects.get(user=mia)
    assert m.roles == {"clinic_admin", "clinician"} and m.role == "clinic_admin"
    assert m.has_role("clinician") and m.has_role("front_desk", "clinic_admin") and not m.has_role("front_desk")
    assert m.roles_display() == "Clinic admin, Clinician"
    # "The clinic's clinicians" stays one simple filter, and finds the admin who needles.
    clinicians = Membership.objects.filter(clinic=m.clinic, is_clinician=True).values_list("user__email", flat=True)
    assert set(clinicians) == {"alice@a.test", "mia@a.test"}


@pytest.mark.django_db
def test_the_primary_role_must_be_in_the_set(alice):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import Membership

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=alice).update(role="clinic_admin")  # is_clinic_admin is False


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_role_columns_from_the_role(clinic_a):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before, after = (
        [("accounts", "0008_merge_0006_two_factor_0007_auditevent_patient_id")],
        [("accounts", "0009_membership_role_set")],
    )
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        user = old.get_model("accounts", "User").objects.create(email="old@a.test", full_name="Old", password="!")
        old.get_model("accounts", "Membership").objects.create(user=user, clinic_id=clinic_a.pk, role="front_desk")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        row = new.get_model("accounts", "Membership").objects.get(user_id=user.pk)
        assert (row.is_front_desk, row.is_clinician, row.is_clinic_admin) == (True, False, False)
    finally:
        # back to every app's latest state: migrating accounts back unapplied other apps' later
        # migrations too, which the tests that follow need
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_require_role_checks_the_whole_set(mia, dana):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.selectors import require_role

    assert require_role(actor=mia, roles={"clinician"}).user == mia
    assert require_role(actor=mia, roles={"clinic_admin"}).user == mia
    with pytest.raises(PermissionDenied):
        require_role(actor=dana, roles={"clinician"})


@pytest.mark.django_db
def test_two_factor_follows_every_role_of_the_set(clinic_a):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.services import user_create
    from dryneedling.accounts.two_factor import two_factor_required
    from tests.conftest import PASSWORD

    desk = user_create(email="d@a.test", full_name="D", clinic=clinic_a, role="front_desk", password=PASSWORD)
    desk_admin = user_create(
        email="da@a.test", full_name="DA", clinic=clinic_a, role="front_desk", also=["clinic_admin"], password=PASSWORD
    )
    assert not two_factor_required(user=desk)
    assert two_factor_required(user=desk_admin)  # the admin role asks for it, though front desk is primary


@pytest.mark.django_db
def test_createuser_gives_several_roles(capsys, monkeypatch, clinic_a):  # type: ignore[no-untyped-def]
    import io

    from dryneedling.accounts.models import Membership
    from dryneedling.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase 9\n"))
    argv = ["createuser", "--email", "ed@a.test", "--name", "Ed", "--clinic", "clinic-a", "--role", "clinic_admin"]
    code = main([*argv, "--also", "clinician", "--password-stdin"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["roles"] == ["clinic_admin", "clinician"]
    assert Membership.objects.get(user__email="ed@a.test").roles == {"clinic_admin", "clinician"}


# ---- the table: code and README ---------------------------------------------------------------
def test_the_readme_shows_the_permissions_table_of_the_code() -> None:
    from dryneedling.accounts.permissions import permissions_table

    text = README.read_text()
    match = re.search(r"<!-- roles:begin.*?-->\n(.*?)<!-- roles:end -->", text, re.S)
    assert match, "README.md lacks the roles table markers"
    assert match.group(1) == permissions_table(), "README's table differs: paste `dryneedling roles` there"


def test_the_table_names_what_the_services_check() -> None:
    from dryneedling.accounts.permissions import AUDIT, CLINIC_ADMINISTRATION, CLINICAL, PATIENT_LINKS, SUPERBILL
    from dryneedling.treatment.services.common import CLINICAL_ROLES

    assert CLINICAL_ROLES == CLINICAL.roles == {"clinician"}
    assert SUPERBILL.roles == PATIENT_LINKS.roles == {"front_desk", "clinician"}
    assert AUDIT.roles == CLINIC_ADMINISTRATION.roles == {"clinic_admin"}


# ---- services and selectors refuse front desk and the admin ------------------------------------
CLINICAL_READS = [
    ("intake.selectors", "screening_list_for", "patient"),
    ("treatment.selectors", "sessions_for_patient", "patient"),
    ("treatment.selectors", "findings_for_episode", "episode"),
    ("treatment.selectors", "pain_drawings_for_episode", "episode"),
    ("treatment.selectors", "session_readiness_for", "episode"),
    ("followup.selectors", "checkins_for_patient", "patient"),
    ("followup.selectors", "outcomes_for_episode", "episode"),
    ("followup.selectors", "home_care_plan_for", "episode"),
    ("followup.selectors", "alerts_open_for", "kind"),
    ("followup.selectors", "followup_list_for", None),
    ("followup.selectors", "maintenance_due_for", None),
    ("followup.selectors", "open_side_effect_alerts_for", "patient"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("module", "name", "arg"), CLINICAL_READS)
@pytest.mark.parametrize("persona", ["bob", "dana"])
def test_clinical_reads_refuse_front_desk_and_admins(module, name, arg, persona, request, mia, patient_a, episode_a):  # type: ignore[no-untyped-def]  # noqa: F811
    import importlib

    from dryneedling.accounts.permissions import CLINICAL

    selector = getattr(importlib.import_module(f"dryneedling.{module}"), name)
    kwargs = {arg: {"patient": patient_a, "episode": episode_a, "kind": "red_flag"}[arg]} if arg else {}
    with pytest.raises(PermissionDenied, match=re.escape(CLINICAL.refusal)):
        selector(actor=request.getfixturevalue(persona), **kwargs)
    selector(actor=mia, **kwargs)  # the admin who is also a clinician reads it


@pytest.mark.django_db
def test_front_desk_cannot_screen(bob, patient_a):  # type: ignore[no-untyped-def]
    from dryneedling.intake.models import Screening
    from dryneedling.intake.services import screening_record
    from tests.intake.test_screening_records import NO_FLAGS

    with pytest.raises(PermissionDenied):
        screening_record(actor=bob, patient=patient_a, answers=NO_FLAGS)
    assert not Screening.unscoped.exists()


@pytest.mark.django_db
def test_session_and_note_selectors_refuse_front_desk(bob, dana, alice, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    from dryneedling.treatment.selectors import note_get_for, session_get_for
    from tests.followup.test_services import complete_session

    session = complete_session(alice, ready_episode)
    for actor in (bob, dana):
        with pytest.raises(PermissionDenied):
            session_get_for(actor=actor, session_id=session.pk)
        with pytest.raises(PermissionDenied):
            note_get_for(actor=actor, session_id=session.pk)


@pytest.mark.django_db
def test_the_check_in_schedule_shows_front_desk_no_answers_or_red_flags(bob, alice, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.selectors import checkin_schedule_for
    from tests.followup.test_services import complete_session

    complete_session(alice, ready_episode)
    CheckIn.unscoped.update(
        answered_at=timezone.now(), red_flags=["infection"], answers={"soreness": 7, "red_flags": ["infection"]}
    )
    from dryneedling.followup.services import checkin_links_issue

    checkin_links_issue(actor=bob, patient=ready_episode.patient)  # the page's write, before its reads
    [for_bob] = checkin_schedule_for(actor=bob, patient=ready_episode.patient)
    [for_alice] = checkin_schedule_for(actor=alice, patient=ready_episode.patient)
    assert for_bob.status == "answered" and for_bob.check_in is None and for_bob.link
    assert for_alice.status == "red_flag" and for_alice.check_in is not None


@pytest.mark.django_db
def test_only_the_sessions_clinician_signs_its_note(alice, mia, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    from dryneedling.accounts.permissions import SIGN_NOTES
    from dryneedling.treatment.models import Note
    from dryneedling.treatment.services.note import note_sign
    from tests.followup.test_services import complete_session

    session = complete_session(alice, ready_episode)
    note = Note.unscoped.get(session=session)
    with pytest.raises(PermissionDenied, match=re.escape(SIGN_NOTES.refusal)):
        note_sign(actor=mia, session_id=session.pk, expected_version=note.version)  # a clinician, not hers
    note.refresh_from_db()
    assert note.signed_at is None
    note_sign(actor=alice, session_id=session.pk, expected_version=note.version)
    note.refresh_from_db()
    assert note.signed_by == alice


# ---- pages ------------------------------------------------------------------------------------
@pytest.fixture
def dana_client(dana):  # type: ignore[no-untyped-def]
    from tests.conftest import _client_for

    return _client_for(dana)


@pytest.fixture
def mia_client(mia):  # type: ignore[no-untyped-def]
    from tests.conftest import _client_for

    return _client_for(mia)


CLINICAL_ON_PAGE = ("Body chart", "Start a session", "Home-care plan", "Dry needling screening", "Record score")


@pytest.mark.django_db
def test_the_patient_page_hides_the_clinical_record_from_front_desk(bob_client, alice, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    from tests.followup.test_services import complete_session

    session = complete_session(alice, ready_episode)
    page = bob_client.get(f"/patients/{ready_episode.patient_id}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert not any(words in body for words in CLINICAL_ON_PAGE)
    assert f"/sessions/{session.pk}/" not in body  # no session or note links
    assert "Consent link for the patient" in body and "Check-in link" in body  # what front desk sends
    assert "No signed sessions to bill yet." in body
    assert "Access report" not in body


@pytest.mark.django_db
def test_the_patient_page_per_role(alice_client, dana_client, mia_client, patient_a):  # type: ignore[no-untyped-def]
    alice_page = alice_client.get(f"/patients/{patient_a.pk}/").content.decode()
    dana_page = dana_client.get(f"/patients/{patient_a.pk}/").content.decode()
    mia_page = mia_client.get(f"/patients/{patient_a.pk}/").content.decode()
    assert all(words in alice_page for words in CLINICAL_ON_PAGE) and "Access report" not in alice_page
    assert not any(words in dana_page for words in CLINICAL_ON_PAGE) and "Access report" in dana_page
    assert "Consent link for the patient" not in dana_page  # the admin sends no links
    assert all(words in mia_page for words in CLINICAL_ON_PAGE) and "Access report" in mia_page
    assert "Clinic admin, Clinician" in mia_page  # the header names both roles


@pytest.mark.django_db
def test_front_desk_gets_the_superbill_once_the_note_is_signed(bob_client, alice, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    from dryneedling.accounts.permissions import SIGNED_SUPERBILL_ONLY
    from dryneedling.treatment.models import Note
    from dryneedling.treatment.services.note import note_sign
    from tests.followup.test_services import complete_session

    session = complete_session(alice, ready_episode)
    for url in (f"/sessions/{session.pk}/superbill/", f"/sessions/{session.pk}/superbill.pdf"):
        response = bob_client.get(url)  # not signed yet: 409 in words for every role (issue 11)
        assert response.status_code == 409 and escape(SIGNED_SUPERBILL_ONLY) in response.content.decode()
    note_sign(actor=alice, session_id=session.pk, expected_version=Note.unscoped.get(session=session).version)
    assert bob_client.get(f"/sessions/{session.pk}/superbill/").status_code == 200
    pdf = bob_client.get(f"/sessions/{session.pk}/superbill.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    page = bob_client.get(f"/patients/{ready_episode.patient_id}/").content.decode()
    assert f"/sessions/{session.pk}/superbill/" in page  # listed under Billing
    assert bob_client.get(f"/sessions/{session.pk}/note/").status_code == 403  # the note itself stays clinical


@pytest.mark.django_db
def test_menus_show_only_what_the_role_may_use(bob_client, dana_client, mia_client):  # type: ignore[no-untyped-def]
    bob_page = bob_client.get("/clinic/").content.decode()
    dana_page = dana_client.get("/clinic/").content.decode()
    mia_page = mia_client.get("/clinic/").content.decode()
    assert "Audit trail" not in bob_page and "Serious side effects" not in bob_page
    assert "Audit trail" in dana_page and "Serious side effects" not in dana_page
    assert "Audit trail" in mia_page and "Serious side effects" in mia_page


@pytest.mark.django_db
def test_a_refused_clinical_page_is_audited_and_says_why(bob, bob_client, alice, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    from dryneedling.accounts.models import AuditEvent, Outcome
    from dryneedling.accounts.permissions import CLINICAL

    response = bob_client.get(f"/episodes/{ready_episode.pk}/chart/")
    assert response.status_code == 403 and escape(CLINICAL.refusal) in response.content.decode()
    denied = AuditEvent.objects.filter(actor=bob, outcome=Outcome.DENIED)
    assert denied.count() == 1
    assert not AuditEvent.objects.filter(actor=bob, outcome=Outcome.SUCCESS, action__endswith=".view").exists()
    token = csrf_token(bob_client, "/patients/")
    response = bob_client.post(f"/episodes/{ready_episode.pk}/outcomes/", {"csrfmiddlewaretoken": token, "total": "3"})
    assert response.status_code == 403
