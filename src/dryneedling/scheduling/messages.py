"""A reminder to a patient by email or SMS: the one place a reminder picks its channel's backend
(Django's email backend; `scheduling.sms` for SMS). The caller decides who is reminded and records it."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from dryneedling.patients.models import Patient
from dryneedling.scheduling.sms import send_sms


def send_reminder(*, patient: Patient, channel: str, subject: str, body: str) -> None:
    """Send ``body`` to the patient's email (with ``subject``) or phone, by ``channel``."""
    if channel == "email":
        send_mail(subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[patient.email])
    else:
        send_sms(to=patient.phone, body=body)
