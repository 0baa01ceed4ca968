"""The demo clinic: two clinics, one login per role, synthetic patients. Idempotent."""

from __future__ import annotations

from dryneedling.accounts.models import Clinic, Role, User
from dryneedling.accounts.services import clinic_create, user_create
from dryneedling.synthetic.loader import seed_clinic

DEMO_PASSWORD = "demo-needling-2026"  # noqa: S105 - printed on purpose: demo mode only, synthetic data
DEMO_USERS = (
    ("alice@demo.test", "Alice Adams", "riverside", Role.CLINICIAN),
    ("bob@demo.test", "Bob Brown", "riverside", Role.FRONT_DESK),
    ("dana@demo.test", "Dana Diaz", "riverside", Role.CLINIC_ADMIN),
    ("carol@demo.test", "Carol Chen", "hilltop", Role.CLINICIAN),
)
DEMO_CLINICS = (("riverside", "Riverside Physical Therapy", 400, 1), ("hilltop", "Hilltop Sports Physio", 60, 2))


def demo_load() -> list[tuple[str, str, str]]:
    """Create what is missing; return (email, role, clinic) for the printed logins."""
    clinics: dict[str, Clinic] = {}
    for slug, name, n_patients, seed in DEMO_CLINICS:
        clinic = Clinic.objects.filter(slug=slug).first()
        if clinic is None:
            clinic = clinic_create(name=name, slug=slug)
            seed_clinic(clinic=clinic, patients=n_patients, seed=seed)
        clinics[slug] = clinic
    logins = []
    for email, full_name, slug, role in DEMO_USERS:
        if not User.objects.filter(email=email).exists():
            user_create(
                email=email,
                full_name=full_name,
                clinic=clinics[slug],
                role=role,
                password=DEMO_PASSWORD,
                check_password_strength=False,
            )
        logins.append((email, Role(role).label, clinics[slug].name))
    return logins
