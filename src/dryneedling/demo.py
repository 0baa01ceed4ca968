"""The demo clinic: two clinics, one login per role, synthetic patients with their care. Idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dryneedling.accounts.models import Clinic, Role, User
from dryneedling.accounts.services import clinic_create, user_create
from dryneedling.patients.models import Patient
from dryneedling.safetyrecords.models import TrainingRecord
from dryneedling.safetyrecords.services import clinician_profile_set, training_record_add
from dryneedling.scheduling import rules
from dryneedling.scheduling.models import Appointment
from dryneedling.scheduling.seed import seed_book, seed_hours
from dryneedling.synthetic.loader import seed_clinic
from dryneedling.treatment.models import FeeScheduleItem

DEMO_PASSWORD = "demo-needling-2026"  # noqa: S105 - printed on purpose: demo mode only, synthetic data
# (email, name, clinic, primary role, further roles). Dana runs the clinic and does not needle, so
# she sees no clinical record; Erin is a clinic admin who also needles and gets both.
DEMO_USERS: tuple[tuple[str, str, str, Role, tuple[Role, ...]], ...] = (
    ("alice@demo.test", "Alice Adams", "riverside", Role.CLINICIAN, ()),
    ("bob@demo.test", "Bob Brown", "riverside", Role.FRONT_DESK, ()),
    ("dana@demo.test", "Dana Diaz", "riverside", Role.CLINIC_ADMIN, ()),
    ("erin@demo.test", "Erin Evans", "riverside", Role.CLINIC_ADMIN, (Role.CLINICIAN,)),
    ("carol@demo.test", "Carol Chen", "hilltop", Role.CLINICIAN, ()),
)
DEMO_CLINICS = (("riverside", "Riverside Physical Therapy", 400, 1), ("hilltop", "Hilltop Sports Physio", 60, 2))
# The demo clinics' time zones: appointments are shown in each clinic's own.
DEMO_ZONES = {"riverside": "Europe/London", "hilltop": "America/New_York"}
# Two-factor sign-in in the demo: every demo clinician and admin has an authenticator device with
# this published key (demo mode only, synthetic data, like the password). `dryneedling demo-code`
# prints the current code; or add DEMO_TOTP_KEY_BASE32 to any authenticator app.
DEMO_TOTP_KEY_HEX = b"dryneedling-demo-key".hex()  # 20 bytes, as RFC 6238 suggests for SHA-1
DEMO_TOTP_KEY_BASE32 = "MRZHS3TFMVSGY2LOM4WWIZLNN4WWWZLZ"
# Self-pay fees of the demo clinics: illustrative amounts, not a price recommendation.
DEMO_FEES = {"20560": Decimal("85.00"), "20561": Decimal("110.00")}


def _demo_training(clinician: User) -> None:
    """Demo clinicians have a profession and a training record, so they may start sessions."""
    if TrainingRecord.objects.filter(clinician=clinician).exists():
        return
    clinician_profile_set(actor=clinician, clinician=clinician, profession="physical_therapist")
    training_record_add(
        actor=clinician,
        clinician=clinician,
        course="Trigger point dry needling, levels 1 and 2 (demo record)",
        provider="Demo training provider",
        hours=Decimal(60),
        completed_on=date(2024, 3, 1),
        covers_electrical=True,
    )


def demo_two_factor(user: User) -> None:
    """Give a demo user the demo authenticator (once): they verify with `dryneedling demo-code`."""
    if not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY_HEX, confirmed=True)


def demo_totp_code() -> str:
    """The code the demo authenticator shows now (a new one every 30 seconds)."""
    return f"{TOTP(bytes.fromhex(DEMO_TOTP_KEY_HEX)).token():06d}"


def demo_load() -> list[tuple[str, str, str]]:
    """Create what is missing; return (email, role, clinic) for the printed logins."""
    clinics: dict[str, Clinic] = {}
    for slug, name, _, _ in DEMO_CLINICS:
        clinics[slug] = Clinic.objects.filter(slug=slug).first() or clinic_create(name=name, slug=slug)
        if clinics[slug].time_zone == "UTC":  # set before seeding: the synthetic dates are the clinic's
            clinics[slug].time_zone = DEMO_ZONES[slug]
            clinics[slug].save(update_fields=["time_zone"])
    logins = []
    for email, full_name, slug, role, also in DEMO_USERS:
        if not User.objects.filter(email=email).exists():
            user_create(
                email=email,
                full_name=full_name,
                clinic=clinics[slug],
                role=role,
                also=also,
                password=DEMO_PASSWORD,
                check_password_strength=False,
            )
        roles = {role, *also}
        if Role.CLINICIAN in roles:
            _demo_training(User.objects.get(email=email))
        if roles & {Role.CLINICIAN, Role.CLINIC_ADMIN}:
            demo_two_factor(User.objects.get(email=email))
        logins.append((email, ", ".join(str(r.label) for r in (role, *also)), clinics[slug].name))
    for slug, _, n_patients, seed in DEMO_CLINICS:
        clinic = clinics[slug]
        for code, amount in DEMO_FEES.items():
            FeeScheduleItem.objects.get_or_create(clinic=clinic, code=code, defaults={"amount": amount})
        if not Patient.objects.for_clinic(clinic).exists():
            # The clinic's own MRN series, so a patient registered in the demo continues it.
            seed_clinic(clinic=clinic, patients=n_patients, seed=seed, clinic_mrns=True)
        demo_day(clinic)
    return logins


def demo_day(clinic: Clinic) -> None:
    """Today's book (in the clinic's zone) for each demo clinician, once a day: what has begun is
    done (or missed) or arrived, what lies ahead booked."""
    # Every member holding the clinician role (Erin, a clinic admin who needles, too), not only
    # those whose primary role it is.
    clinicians = list(User.objects.filter(membership__clinic=clinic, membership__is_clinician=True).order_by("pk"))
    seed_hours(clinic=clinic, clinicians=clinicians)
    now = timezone.now()
    today = now.astimezone(rules.zone(clinic.time_zone)).date()
    start, end = rules.day_bounds(today, clinic.time_zone)
    if Appointment.objects.for_clinic(clinic).filter(starts_at__gte=start, starts_at__lt=end).exists():
        return
    patient_ids = list(Patient.objects.for_clinic(clinic).order_by("pk").values_list("pk", flat=True)[:60])
    seed_book(clinic=clinic, clinicians=clinicians, patient_ids=patient_ids, first_day=today, days=1, now=now)
