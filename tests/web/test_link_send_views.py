"""The patient page's "Links for the patient" and its send buttons (issue 10), the clinic's reminder
setting page, and the patient's reminder opt-out on the patient form and page."""

from __future__ import annotations

import pytest
from django.core import mail

from dryneedling.followup.models import LinkDelivery
from dryneedling.patients.models import Patient
from dryneedling.scheduling import sms
from tests.conftest import csrf_token

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def public_url(settings):  # type: ignore[no-untyped-def]
    settings.PUBLIC_BASE_URL = "https://clinic-a.example.org"
    sms.outbox.clear()


def post(client, url, data, **extra):  # type: ignore[no-untyped-def]
    """A form post with the CSRF token a page of the app gave the browser."""
    return client.post(url, {**data, "csrfmiddlewaretoken": csrf_token(client, "/today/")}, **extra)


def send(client, patient, **data):  # type: ignore[no-untyped-def]
    return post(client, f"/patients/{patient.pk}/links/send/", data, headers=HTMX)


def test_the_page_offers_each_link_to_the_roles_that_may_send_it(bob_client, dana_client, alice_client, patient_a):  # type: ignore[no-untyped-def]
    page = bob_client.get(f"/patients/{patient_a.pk}/").content.decode()
    assert 'id="patient-links"' in page and "Consent form" in page and "About dry needling" in page
    # patient_a has a phone but no email: the email buttons are disabled, with the reason in words
    assert "No email address on file" in page and "Send by SMS" in page
    assert "Home-care plan" not in page  # no plan yet, and not for front desk anyway
    assert 'id="patient-links"' not in dana_client.get(f"/patients/{patient_a.pk}/").content.decode()
    assert 'id="patient-links"' in alice_client.get(f"/patients/{patient_a.pk}/").content.decode()


def test_front_desk_sends_consent_by_sms_and_the_row_shows_when_and_who(bob_client, patient_a, clinic_a):  # type: ignore[no-untyped-def]
    clinic_a.time_zone = "America/New_York"
    clinic_a.save(update_fields=["time_zone"])
    response = send(bob_client, patient_a, kind="consent", channel="sms")
    assert response.status_code == 200
    row = response.content.decode()
    assert 'id="link-consent-0"' in row and "Sent by SMS to •••• 0100." in row
    assert "(America/New_York) to •••• 0100 by Bob Brown" in row
    delivery = LinkDelivery.objects.for_record(patient_a).get()
    local = delivery.sent_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert f"{local:%Y-%m-%d %H:%M}" in row
    assert "https://clinic-a.example.org/s/" in sms.outbox[0].body
    # again at once: the row asks before sending it again
    again = send(bob_client, patient_a, kind="consent", channel="sms").content.decode()
    assert "Send again by SMS" in again and len(sms.outbox) == 1
    confirmed = send(bob_client, patient_a, kind="consent", channel="sms", confirm="on").content.decode()
    assert "Sent by SMS" in confirmed and len(sms.outbox) == 2


def test_without_htmx_a_send_redirects_with_the_outcome_and_a_resend_asks_on_a_page(bob_client, patient_a):  # type: ignore[no-untyped-def]
    url = f"/patients/{patient_a.pk}/links/send/"
    response = post(bob_client, url, {"kind": "education", "channel": "sms"}, follow=True)
    assert "Sent by SMS to •••• 0100." in response.content.decode()
    again = post(bob_client, url, {"kind": "education", "channel": "sms"})
    assert again.status_code == 200 and "Send the link again?" in again.content.decode()


def test_refusals_in_words(bob_client, dana_client, carol_client, alice, patient_a):  # type: ignore[no-untyped-def]
    from dryneedling.followup.homecare import home_care_plan_create

    no_email = send(bob_client, patient_a, kind="education", channel="email").content.decode()
    assert "No email address on file" in no_email and not mail.outbox
    plan = home_care_plan_create(actor=alice, episode=patient_a.episodes.get())
    refused = send(bob_client, patient_a, kind="homecare", target=plan.pk, channel="sms")
    assert refused.status_code == 403 and b"Only a clinician" in refused.content
    assert send(dana_client, patient_a, kind="education", channel="sms").status_code == 403
    assert send(carol_client, patient_a, kind="education", channel="sms").status_code == 404
    assert send(bob_client, patient_a, kind="nonsense", channel="sms").status_code == 400
    assert not sms.outbox


def test_a_clinician_sends_a_home_care_plan_from_the_patient_page(alice, alice_client, patient_a):  # type: ignore[no-untyped-def]
    from dryneedling.followup.homecare import home_care_plan_create

    plan = home_care_plan_create(actor=alice, episode=patient_a.episodes.get())
    assert f'id="link-homecare-{plan.pk}"' in alice_client.get(f"/patients/{patient_a.pk}/").content.decode()
    row = send(alice_client, patient_a, kind="homecare", target=plan.pk, channel="sms").content.decode()
    assert "Sent by SMS" in row and "https://clinic-a.example.org/h/" in row  # the link sent, shown


def test_today_shows_front_desk_the_links_to_send(bob_client, alice, patient_a):  # type: ignore[no-untyped-def]
    from dryneedling.followup.consent import consent_link_for

    consent_link_for(actor=alice, patient=patient_a)
    today = bob_client.get("/today/").content.decode()
    assert 'id="today-unsent-links"' in today and "Zelda Quimby" in today.split('id="today-unsent-links"')[1]
    send(bob_client, patient_a, kind="consent", channel="sms")
    section = bob_client.get("/today/").content.decode().split('id="today-unsent-links"')[1].split("</section>")[0]
    assert "Zelda" not in section and "Every link has been sent." in section


def test_the_clinic_admin_sets_the_reminder_channel(dana_client, bob_client, clinic_a):  # type: ignore[no-untyped-def]
    assert b"Appointment reminders" in dana_client.get("/clinic/settings/").content
    page = dana_client.get("/clinic/settings/reminders/")
    assert page.status_code == 200 and b"Email and SMS" in page.content
    response = post(dana_client, "/clinic/settings/reminders/", {"reminder_channel": "sms"})
    assert response.status_code == 302
    clinic_a.refresh_from_db()
    assert clinic_a.reminder_channel == "sms"
    bad = post(dana_client, "/clinic/settings/reminders/", {"reminder_channel": "pigeon"})
    assert bad.status_code == 200 and b"Select a valid choice" in bad.content
    assert post(bob_client, "/clinic/settings/reminders/", {"reminder_channel": "none"}).status_code == 403


def test_the_patient_opts_out_of_reminders_on_the_form_and_the_page_says_so(bob_client, patient_a):  # type: ignore[no-untyped-def]
    url = f"/patients/{patient_a.pk}/edit/"
    assert b"No appointment reminders" in bob_client.get(url).content
    data = {
        "mrn": patient_a.mrn,
        "given_name": "Zelda",
        "family_name": "Quimby",
        "date_of_birth": "1980-05-17",
        "sex": "female",
        "phone": "555-0100",
        "insurance_medicare": "False",
        "appointment_reminders_opt_out": "on",
    }
    assert post(bob_client, url, data).status_code == 302
    assert Patient.objects.for_record(patient_a).get(pk=patient_a.pk).appointment_reminders_opt_out is True
    page = bob_client.get(f"/patients/{patient_a.pk}/").content.decode()
    assert "None: the patient opted out" in page
