"""The CSV import pages: upload, preview (nothing written), Import; clinic admins only."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dryneedling.interop.csv_import import MAX_BYTES
from dryneedling.interop.csv_import.uploads import BROWSER_MAX_ROWS
from dryneedling.interop.models import CsvUpload
from dryneedling.patients.models import Patient
from tests.conftest import csrf_token

FIXTURES = Path(__file__).parent / "fixtures" / "csv"
pytestmark = pytest.mark.django_db


def _upload(client, name: str, kind: str = "patients", data: bytes | None = None, **extra):  # type: ignore[no-untyped-def]
    content = data if data is not None else (FIXTURES / name).read_bytes()
    form = {"file": SimpleUploadedFile(name, content, "text/csv"), "kind": kind, "source": "auto"} | extra
    return client.post(reverse("csv-import"), form | _token(client))


def _token(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"csrfmiddlewaretoken": csrf_token(client, reverse("patient-list"))}


def _confirm(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def test_upload_preview_then_import(dana_client, clinic_a):  # type: ignore[no-untyped-def]
    settings_page = dana_client.get(reverse("clinic-settings"))
    assert reverse("csv-import").encode() in settings_page.content
    response = _upload(dana_client, "jane_patients.csv")
    assert response.status_code == 302
    preview = dana_client.get(response["Location"])
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Maya Lindqvist" in body and "3 new" in body and "Import 3 patients" in body
    assert not Patient.objects.for_clinic(clinic_a).exists()
    query = _confirm(response) | _token(dana_client)
    done = dana_client.post(reverse("csv-import-preview"), query)
    assert done.status_code == 200 and b"Imported 3 patients" in done.content
    assert Patient.objects.for_clinic(clinic_a).count() == 3
    upload = CsvUpload.objects.for_clinic(clinic_a).get()
    assert upload.imported_at is not None and bytes(upload.content) == b""
    again = dana_client.post(reverse("csv-import-preview"), query)  # the same confirmation twice
    assert again.status_code == 302 and Patient.objects.for_clinic(clinic_a).count() == 3


def test_a_stale_preview_cannot_import_another_file(dana_client, clinic_a):  # type: ignore[no-untyped-def]
    first = _upload(dana_client, "jane_patients.csv")
    query = _confirm(first) | _token(dana_client)
    query["sha"] = "0" * 64
    response = dana_client.post(reverse("csv-import-preview"), query, follow=True)
    assert b"no longer available" in response.content
    assert not Patient.objects.for_clinic(clinic_a).exists()


def test_an_ambiguous_file_is_refused_in_words_until_an_order_is_chosen(dana_client, clinic_a):  # type: ignore[no-untyped-def]
    response = _upload(dana_client, "jane_patients_ambiguous.csv")
    preview = dana_client.get(response["Location"])
    assert b"could be read day-first or month-first" in preview.content and b"Birth Date" in preview.content
    chosen = dana_client.get(response["Location"] + "&date_order=mdy")
    assert b"2 new" in chosen.content and b"1985-03-04" in chosen.content


def test_the_size_limit_is_a_field_error(dana_client, clinic_a):  # type: ignore[no-untyped-def]
    response = _upload(dana_client, "big.csv", data=b"x" * (MAX_BYTES + 1))
    assert response.status_code == 200 and b"at most 5 MB" in response.content
    assert not CsvUpload.objects.for_clinic(clinic_a).exists()


def test_the_browser_takes_a_bounded_number_of_rows_and_names_the_command_line(dana_client, clinic_a):  # type: ignore[no-untyped-def]
    """A preview checks every row through the registration rules inside one transaction that holds
    the database's write lock: a file of many thousands of rows would outlast the page's request and
    block other users' writes. The browser takes up to BROWSER_MAX_ROWS; the command line the rest."""
    header = b"Patient ID,First Name,Last Name,Birth Date,Sex\n"
    rows = b"".join(b"%d,Ann,Row%d,1980-01-02,female\n" % (n, n) for n in range(BROWSER_MAX_ROWS + 1))
    response = _upload(dana_client, "many.csv", data=header + rows)
    body = response.content.decode()
    assert response.status_code == 200 and f"at most {BROWSER_MAX_ROWS:,} rows" in body
    assert "dryneedling import-csv" in body
    assert not CsvUpload.objects.for_clinic(clinic_a).exists()
    fits = _upload(dana_client, "fits.csv", data=header + rows.split(b"\n", 1)[1])
    assert fits.status_code == 302


def test_other_roles_are_refused_in_words(alice_client, bob_client):  # type: ignore[no-untyped-def]
    for client in (alice_client, bob_client):
        page = client.get(reverse("csv-import"))
        assert page.status_code == 403 and b"Only a clinic admin imports patients" in page.content
        assert _upload(client, "jane_patients.csv").status_code == 403


def test_another_clinics_upload_is_not_found(dana_client, carol, clinic_b):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.services import user_create
    from tests.conftest import PASSWORD, _client_for

    admin_b = user_create(
        email="bea@b.test", full_name="Bea B", clinic=clinic_b, role="clinic_admin", password=PASSWORD
    )
    response = _upload(_client_for(admin_b), "jane_patients.csv")
    query = _confirm(response) | _token(dana_client)
    stolen = dana_client.post(reverse("csv-import-preview"), query, follow=True)
    assert b"no longer available" in stolen.content
    assert not Patient.objects.for_clinic(clinic_b).exists()


def test_appointments_preview_names_patients_practitioners_and_types(dana_client, alice, clinic_a):  # type: ignore[no-untyped-def]
    patients = _upload(dana_client, "jane_patients.csv")
    dana_client.post(reverse("csv-import-preview"), _confirm(patients) | _token(dana_client))
    response = _upload(dana_client, "jane_appointments.csv", kind="appointments")
    body = dana_client.get(response["Location"]).content.decode()
    assert "4 new" in body and "Import 4 appointments" in body
    assert "Maya Lindqvist" in body and "Alice Adams" in body and "Initial assessment" in body
    assert "No appointment type &#x27;Massage&#x27; in this clinic" in body
