"""The JSON API (issue 13, first part): personal tokens, the clinic scope, scopes, cursor
pagination with updated_since, JSON errors naming the field, audit rows, the rate limit, and the
OpenAPI document."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from dryneedling.accounts.api_tokens import api_token_authenticate, api_token_create, api_token_revoke
from dryneedling.accounts.models import ApiToken, AuditEvent

pytestmark = pytest.mark.django_db


def _client(plaintext: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_a_token_is_stored_as_a_digest_and_shown_once(alice):  # type: ignore[no-untyped-def]
    made = api_token_create(actor=alice, name="sync script")
    row = ApiToken.objects.get()
    assert made.plaintext.startswith(f"dn_{row.prefix}_") and made.plaintext not in row.digest
    assert api_token_authenticate(made.plaintext) == row
    assert api_token_authenticate(made.plaintext[:-1] + ("A" if made.plaintext[-1] != "A" else "B")) is None
    assert api_token_authenticate("Bearer nonsense") is None
    assert AuditEvent.objects.filter(action="api_token.create", actor=alice).count() == 1


def test_revoked_expired_and_deactivated_tokens_authenticate_nothing(alice):  # type: ignore[no-untyped-def]
    revoked, expired, gone = (api_token_create(actor=alice, name=n) for n in ("a", "b", "c"))
    api_token_revoke(actor=alice, token_id=revoked.token.pk)
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for made in (revoked, expired):
        response = _client(made.plaintext).get("/api/me")
        assert response.status_code == 401 and "API token is required" in response.json()["detail"]
    assert _client(gone.plaintext).get("/api/me").status_code == 200
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert _client(gone.plaintext).get("/api/me").status_code == 401


def test_anonymous_requests_get_a_json_401_in_words(client):  # type: ignore[no-untyped-def]
    response = client.get("/api/patients")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert "Account → API tokens" in response.json()["detail"]


def test_me_names_the_clinic_roles_and_scope(mia):  # type: ignore[no-untyped-def]
    made = api_token_create(actor=mia, name="x", scope="write", days=30)
    body = _client(made.plaintext).get("/api/me").json()
    assert body["clinic"] == "clinic-a" and body["roles"] == ["clinician", "clinic_admin"] and body["scope"] == "write"


def test_patients_page_by_cursor_without_gaps_or_repeats(alice, patient_a):  # type: ignore[no-untyped-def]
    from dryneedling.patients.services import patient_create

    for n in range(4):
        patient_create(
            actor=alice, given_name=f"P{n}", family_name="Page", date_of_birth=date(1980, 1, 1), sex="female"
        )
    api = _client(api_token_create(actor=alice, name="x").plaintext)
    seen, cursor, pages = [], "", 0
    while True:
        body = api.get("/api/patients", {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [p["id"] for p in body["items"]]
        pages += 1
        if not (cursor := body["next_cursor"]):
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 5
    after = timezone.now()
    changed = patient_create(
        actor=alice, given_name="New", family_name="One", date_of_birth=date(1990, 2, 2), sex="male"
    )
    body = api.get("/api/patients", {"updated_since": after.isoformat()}).json()
    assert [p["id"] for p in body["items"]] == [changed.pk]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"limit": 0}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"updated_since": "2026-01-01T00:00:00"}, "updated_since"),
    ],
)
def test_bad_query_parameters_are_json_errors_naming_the_field(alice, query, field):  # type: ignore[no-untyped-def]
    response = _client(api_token_create(actor=alice, name="x").plaintext).get("/api/patients", query)
    assert response.status_code == 400 and response.json()["detail"].startswith(f"{field}:")


def test_another_clinics_token_reads_nothing_of_this_clinic(carol, patient_a):  # type: ignore[no-untyped-def]
    api = _client(api_token_create(actor=carol, name="x").plaintext)
    episode = patient_a.episodes.first()
    for path in (
        f"/api/patients/{patient_a.pk}",
        f"/api/episodes/{episode.pk}",
        f"/api/episodes?patient_id={patient_a.pk}",
    ):
        response = api.get(path)
        assert response.status_code == 404 and b"Quimby" not in response.content and b"A-0001" not in response.content
    assert api.get("/api/patients").json()["items"] == [] and api.get("/api/episodes").json()["items"] == []


def test_reads_are_audited_as_the_web_reads_are(alice, patient_a):  # type: ignore[no-untyped-def]
    made = api_token_create(actor=alice, name="x")
    api = _client(made.plaintext)
    assert api.get(f"/api/patients/{patient_a.pk}").json()["family_name"] == "Quimby"
    view = AuditEvent.objects.get(action="patient.view", actor=alice)
    assert view.detail == {"via": "api", "token": made.token.prefix} and view.patient_id == patient_a.pk
    api.get("/api/patients")
    assert AuditEvent.objects.get(action="api.patients.list").detail["count"] == 1


def test_writing_needs_a_write_token_and_errors_name_the_field(alice):  # type: ignore[no-untyped-def]
    body = {"given_name": "Wren", "family_name": "Api", "date_of_birth": "1985-05-05", "sex": "female"}
    reader = _client(api_token_create(actor=alice, name="r").plaintext)
    refused = reader.post("/api/patients", body, content_type="application/json")
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    writer = _client(api_token_create(actor=alice, name="w", scope="write").plaintext)
    made = writer.post("/api/patients", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["mrn"]  # the clinic's next automatic MRN
    assert AuditEvent.objects.filter(action="patient.create", actor=alice).count() == 1
    missing = writer.post("/api/patients", {"given_name": "X"}, content_type="application/json")
    assert missing.status_code == 422 and any("family_name" in e["loc"] for e in missing.json()["detail"])
    wrong = writer.post(
        "/api/patients", body | {"sex": "dragon", "given_name": "Other"}, content_type="application/json"
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"][-1] == "sex"


@override_settings(RATE_LIMITS={"api-token": (2, 60)})
def test_each_token_is_rate_limited(alice):  # type: ignore[no-untyped-def]
    api = _client(api_token_create(actor=alice, name="x").plaintext)
    assert [api.get("/api/me").status_code for _ in range(2)] == [200, 200]
    limited = api.get("/api/me")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0 and "Too many" in limited.json()["detail"]


def test_the_openapi_document_and_its_docs_page(client):  # type: ignore[no-untyped-def]
    schema = client.get("/api/openapi.json").json()
    assert {"/api/patients", "/api/patients/{patient_id}", "/api/episodes", "/api/me"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger-ui-bundle.js" in docs.content


def test_the_cli_creates_lists_and_revokes_tokens(alice, capsys):  # type: ignore[no-untyped-def]
    from dryneedling.cli import main

    assert main(["api-token", "create", "--user", "alice@a.test", "--name", "nightly sync", "--scope", "write"]) == 0
    plaintext = capsys.readouterr().out.strip()
    assert _client(plaintext).get("/api/me").json()["scope"] == "write"
    assert main(["api-token", "list", "--user", "alice@a.test"]) == 0
    assert "nightly sync" in capsys.readouterr().out
    prefix = plaintext.split("_")[1]
    assert main(["api-token", "revoke", "--user", "alice@a.test", "--prefix", prefix]) == 0
    assert _client(plaintext).get("/api/me").status_code == 401
    assert main(["api-token", "create", "--user", "alice@a.test", "--name", "x", "--days", "400"]) == 2
    assert "1 to 365 days" in capsys.readouterr().err
    assert main(["api-token", "revoke", "--user", "nobody@a.test", "--prefix", prefix]) == 2


def _signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    from tests.conftest import mark_verified

    web = Client()
    web.force_login(user)
    mark_verified(web, user)
    return web


def test_the_token_page_shows_a_new_token_once_and_revokes_it(alice, dana, bob):  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token

    web = _signed_in(alice)
    token = csrf_token(web, "/accounts/api-tokens/")
    page = web.post("/accounts/api-tokens/", {"csrfmiddlewaretoken": token, "name": "", "scope": "read", "days": 90})
    assert page.status_code == 400 and "This field is required" in page.content.decode()
    page = web.post(
        "/accounts/api-tokens/", {"csrfmiddlewaretoken": token, "name": "sheet", "scope": "read", "days": 30}
    )
    shown = ApiToken.objects.get()
    assert page.status_code == 200 and "Copy it now" in page.content.decode()
    assert "Copy it now" not in web.get("/accounts/api-tokens/").content.decode()  # shown once
    # Bob (front desk) cannot revoke Alice's token; Dana (clinic admin) can.
    other = _signed_in(bob)
    refused = other.post(
        "/accounts/api-tokens/revoke/",
        {"csrfmiddlewaretoken": csrf_token(other, "/accounts/api-tokens/"), "token": shown.pk},
        follow=True,
    )
    assert "a clinic admin can revoke any" in refused.content.decode()
    shown.refresh_from_db()
    assert shown.revoked_at is None
    admin = _signed_in(dana)
    assert "sheet" in admin.get("/accounts/api-tokens/").content.decode()
    admin.post(
        "/accounts/api-tokens/revoke/",
        {"csrfmiddlewaretoken": csrf_token(admin, "/accounts/api-tokens/"), "token": shown.pk},
    )
    shown.refresh_from_db()
    assert shown.revoked_at is not None


# --- review findings (each failed before its fix) ---------------------------------------------


def test_completing_a_course_is_seen_by_an_updated_since_sync(alice, patient_a):  # type: ignore[no-untyped-def]
    episode = patient_a.episodes.first()
    api = _client(api_token_create(actor=alice, name="x").plaintext)
    before = timezone.now()
    episode.course_completed_at = timezone.now()
    episode.save(update_fields=["course_completed_at"])
    body = api.get("/api/episodes", {"updated_since": before.isoformat()}).json()
    assert [e["id"] for e in body["items"]] == [episode.pk]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_extreme_moments_are_a_400_not_a_crash(alice, moment):  # type: ignore[no-untyped-def]
    import base64

    api = _client(api_token_create(actor=alice, name="x").plaintext)
    assert api.get("/api/patients", {"updated_since": moment}).status_code == 400
    cursor = base64.urlsafe_b64encode(f"{moment}|1".encode()).decode().rstrip("=")
    assert api.get("/api/patients", {"cursor": cursor}).status_code == 400


def test_api_registration_checks_the_email_and_asks_before_a_duplicate(alice, patient_a):  # type: ignore[no-untyped-def]
    api = _client(api_token_create(actor=alice, name="w", scope="write").plaintext)
    body = {
        "given_name": "Zelda",
        "family_name": "Quimby",
        "date_of_birth": str(patient_a.date_of_birth),
        "sex": "female",
    }
    bad = api.post("/api/patients", body | {"given_name": "Other", "email": "bad"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "email"
    twin = api.post("/api/patients", body, content_type="application/json")
    assert twin.status_code == 409 and twin.json()["possible_duplicates"] == [patient_a.pk]
    made = api.post("/api/patients", body | {"confirm_duplicate": True}, content_type="application/json")
    assert made.status_code == 201


def test_api_dates_are_the_clinics_days(alice, clinic_a):  # type: ignore[no-untyped-def]
    from dryneedling.accounts import zones

    clinic_a.time_zone = "Pacific/Kiritimati"  # UTC+14: its today is often UTC's tomorrow
    clinic_a.save(update_fields=["time_zone"])
    today = timezone.now().astimezone(zones.zone_of(clinic_a)).date()
    api = _client(api_token_create(actor=alice, name="w", scope="write").plaintext)
    body = {"given_name": "New", "family_name": "Born", "date_of_birth": str(today), "sex": "female"}
    assert api.post("/api/patients", body, content_type="application/json").status_code == 201


def test_a_page_of_patients_is_in_each_patients_access_trail(alice, patient_a):  # type: ignore[no-untyped-def]
    _client(api_token_create(actor=alice, name="x").plaintext).get("/api/patients")
    assert AuditEvent.objects.filter(action="patient.view", patient_id=patient_a.pk, detail__via="api").count() == 1


def test_a_refused_token_leaves_a_denied_row_and_failures_are_limited(alice, settings):  # type: ignore[no-untyped-def]
    settings.RATE_LIMITS = {"api-token-failed": (3, 60)}
    made = api_token_create(actor=alice, name="x")
    api_token_revoke(actor=alice, token_id=made.token.pk)
    assert _client(made.plaintext).get("/api/me").status_code == 401  # failure 1
    row = AuditEvent.objects.get(action="api_token.refused")
    assert row.outcome == "denied" and row.detail == {"prefix": made.token.prefix, "reason": "revoked"}
    codes = [_client("dn_00000000_nope").get("/api/me").status_code for _ in range(3)]
    assert codes == [401, 401, 429]


@override_settings(RATE_LIMITS={"api-token": (2, 60)})
def test_the_limit_is_the_users_not_each_tokens(alice):  # type: ignore[no-untyped-def]
    first, second = (_client(api_token_create(actor=alice, name=n).plaintext) for n in ("a", "b"))
    assert [first.get("/api/me").status_code, second.get("/api/me").status_code] == [200, 200]
    assert first.get("/api/me").status_code == 429


def test_a_prefix_clash_draws_another(alice, monkeypatch):  # type: ignore[no-untyped-def]
    import secrets as real

    first = api_token_create(actor=alice, name="a")
    drawn = iter([first.token.prefix, "feedbeef"])
    real_hex = real.token_hex
    monkeypatch.setattr("dryneedling.accounts.api_tokens.secrets.token_hex", lambda n: next(drawn, None) or real_hex(n))
    second = api_token_create(actor=alice, name="b")
    assert second.token.prefix == "feedbeef" and real.token_hex(1)


def test_recovery_and_deactivation_revoke_the_users_tokens(alice, dana):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.members import member_set_active
    from dryneedling.accounts.services import password_reset_completed

    reset, later = api_token_create(actor=alice, name="a"), None
    password_reset_completed(user=alice)
    assert _client(reset.plaintext).get("/api/me").status_code == 401
    later = api_token_create(actor=alice, name="b")
    member_set_active(actor=dana, user_id=alice.pk, active=False)
    member_set_active(actor=dana, user_id=alice.pk, active=True)
    assert _client(later.plaintext).get("/api/me").status_code == 401  # reactivation does not revive it


# --- schema fuzzing findings (issue 13, tests/api/test_api_schema_fuzz.py; each failed before its fix) ----------


def test_every_operation_declares_the_errors_the_api_layer_gives(client):  # type: ignore[no-untyped-def]
    """401 (no or a bad token), 429 (the rate limit) on every operation with a token; 422 (input that
    does not fit) wherever there is input, 400 (a body that is not JSON) wherever there is a body: the
    document promised fewer statuses than were sent."""
    schema = client.get("/api/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            declared = set(operation["responses"])
            assert {"401", "429"} <= declared, (method, path, declared)
            if operation.get("parameters") or "requestBody" in operation:
                assert "422" in declared, (method, path, declared)
            if "requestBody" in operation:
                assert "400" in declared, (method, path, declared)
            error = operation["responses"]["401"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"} and "Error" in schema["components"]["schemas"]


def test_the_registration_schema_names_the_sexes_and_gives_an_example_that_registers(alice):  # type: ignore[no-untyped-def]
    """The document allowed any text for `sex` (the server takes four words), so no client built
    from it, nor any request the fuzz generated, could register a patient."""
    from dryneedling.patients.models import Sex

    api = _client(api_token_create(actor=alice, name="w", scope="write").plaintext)
    patient_in = api.get("/api/openapi.json").json()["components"]["schemas"]["PatientIn"]
    assert patient_in["properties"]["sex"]["enum"] == list(Sex.values)
    (example,) = patient_in["examples"]
    assert api.post("/api/patients", example, content_type="application/json").status_code == 201


@pytest.mark.parametrize("text", ["dn_\x00ab_x", "dn_ab\x00_x", "dn_" + "f" * 300 + "_x", "dn_ÿ_x"])
def test_a_token_of_the_wrong_shape_is_a_401_not_a_crash(text):  # type: ignore[no-untyped-def]
    """A NUL in the token's prefix reached the prefix lookup, which PostgreSQL refuses (a 500)."""
    response = Client(HTTP_AUTHORIZATION=f"Bearer {text}", raise_request_exception=False).get("/api/me")
    assert response.status_code == 401 and "API token is required" in response.json()["detail"]


@pytest.mark.parametrize("field", ["given_name", "family_name"])
def test_a_nul_in_a_name_is_a_field_error_before_the_duplicate_lookup(alice, field):  # type: ignore[no-untyped-def]
    """The duplicate lookup ran before the names were checked: a NUL in one was a 500 on PostgreSQL."""
    api = _client(api_token_create(actor=alice, name="w", scope="write").plaintext)
    body = {"given_name": "Ada", "family_name": "Nul", "date_of_birth": "1980-01-01", "sex": "female"}
    response = api.post("/api/patients", body | {field: "A\x00b"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "data", field]
