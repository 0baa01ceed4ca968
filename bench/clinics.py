"""The bench's clinics (issue 14): a big one seeded once and kept, a small one beside it in the same
database, and what each needs to be measured (a signed-in clinician with a session in progress, a
front-desk user, a full appointment book). Everything here is idempotent: a later run over the
kept database finds what an earlier run made and reuses it.

The big clinic is `make bench-scale`'s clinic (slug "scale"), seeded in chunks of 10,000 patients,
one synthetic seed each (MRNs `SYN<seed>-NNNNNNN`), so an interrupted seed resumes at the next
chunk and both benches share one kept database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

CHUNK = 10_000
# The pre-session checklist all clear (the bench's sessions, here and in bench/writes.py).
CHECKLIST = {
    "new_anticoagulants": False,
    "possibly_pregnant": False,
    "new_symptoms": False,
    "new_medication": False,
    "position": "prone",
}
BIG_SLUG = "scale"
SMALL_SLUG = "bench-small"


def seed_kept(clinic, patients: int) -> None:  # type: ignore[no-untyped-def]
    """Seed `clinic` up to `patients` patients in chunks (a chunk already there is skipped)."""
    from dryneedling.accounts.dbstats import planner_statistics_refresh
    from dryneedling.patients.models import Patient
    from dryneedling.synthetic.loader import seed_clinic

    seeded = False
    for chunk in range((patients + CHUNK - 1) // CHUNK):
        seed = chunk + 1
        if Patient.objects.for_clinic(clinic).filter(mrn__startswith=f"SYN{seed}-").exists():
            continue
        count = min(CHUNK, patients - chunk * CHUNK)
        started, cpu = time.perf_counter(), time.process_time()
        seed_clinic(clinic=clinic, patients=count, seed=seed)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"seed {clinic.slug} chunk {seed}: {count} patients in {seconds:.2f} s = {count / seconds:,.0f}/s"
              f" ({count / cpu:,.0f} per CPU-second of this process; budget 5,000/s)", flush=True)  # fmt: skip
        seeded = True
    if seeded:
        planner_statistics_refresh(full=True)
    held = Patient.objects.for_clinic(clinic).count()
    if held < patients:  # a directory seeded smaller before (BENCH_PATIENTS): chunks are not topped up
        print(f"note: clinic {clinic.slug!r} holds {held:,} patients (asked {patients:,}): "
              "use a fresh BENCH_SCALE_DIR / database for the full size", flush=True)  # fmt: skip


def clinic_sizes(clinic) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from dryneedling.followup.models import OutcomeRecord, SorenessReading
    from dryneedling.patients.models import Patient
    from dryneedling.treatment.models import Insertion, Session

    models = {
        "patients": Patient,
        "sessions": Session,
        "insertions": Insertion,
        "outcomes": OutcomeRecord,
        "soreness": SorenessReading,
    }
    return {name: model.objects.for_clinic(clinic).count() for name, model in models.items()}


def verify_second_factor(client, user) -> None:  # type: ignore[no-untyped-def]
    """Clinicians need two-factor sign-in: record a verified TOTP device as django_otp.login does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, name="Bench authenticator").first()
    device = device or TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _user(clinic, email: str, name: str, role: str):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import User
    from dryneedling.accounts.services import user_create

    return User.objects.filter(email=email).first() or user_create(
        email=email, full_name=name, clinic=clinic, role=role, password="bench", check_password_strength=False
    )


def _open_session(user):  # type: ignore[no-untyped-def]
    """The bench user's session in progress (from an earlier run), or a new one on a screened,
    consented patient, through the services."""
    from dryneedling.care.session import session_start
    from dryneedling.clinical.clean_technique import CLEAN_TECHNIQUE
    from dryneedling.clinical.intake import all_clear_answers
    from dryneedling.followup.models import Alert
    from dryneedling.intake.services import screening_record
    from dryneedling.patients.models import Patient
    from dryneedling.safetyrecords.services import clinician_profile_set, training_record_add
    from dryneedling.treatment.models import Session
    from dryneedling.treatment.services.chart import consent_record, optional_consent_items
    from dryneedling.treatment.services.session import session_clean_technique_record

    kept = Session.objects.for_actor(user).filter(clinician=user, status="in_progress").order_by("-pk").first()
    if kept is not None:
        return kept
    clinician_profile_set(actor=user, clinician=user, profession="physical_therapist")
    training_record_add(
        actor=user, clinician=user, course="Bench course", provider="Bench", hours=60, completed_on=date(2024, 1, 1)
    )
    open_tasks = Alert.objects.for_actor(user).filter(kind="serious_side_effect", acknowledged_at__isnull=True)
    busy = Session.objects.for_actor(user).filter(status="in_progress").values("patient_id")
    patient = (
        Patient.objects.for_actor(user)
        .exclude(pk__in=open_tasks.values("patient_id"))
        .exclude(pk__in=busy)
        .order_by("id")
        .first()
    )
    screening_record(actor=user, patient=patient, answers=all_clear_answers())
    consent_record(
        actor=user, patient=patient, signed_name=patient.display_name, optional_items=optional_consent_items()
    )
    session = session_start(actor=user, episode=patient.episodes.first(), checklist=CHECKLIST, payer="self_pay")
    ticked = [item.id for item in CLEAN_TECHNIQUE]
    return session_clean_technique_record(actor=user, session=session, expected_version=session.version, ticked=ticked)


def _appointment_book(clinic, user, desk) -> str:  # type: ignore[no-untyped-def]
    """Eight clinicians (the bench user and seven more) with 08:00-18:00 every day and full books
    from four weeks back to four weeks ahead, written in bulk for the days not booked by an earlier
    run. Returns today (the clinic's) as an ISO date."""
    from django.utils import timezone

    from dryneedling.patients.models import Patient
    from dryneedling.scheduling.models import Appointment
    from dryneedling.scheduling.seed import seed_book, seed_hours
    from dryneedling.scheduling.selectors import clinic_today

    if clinic.time_zone != "Europe/Berlin":
        clinic.time_zone = "Europe/Berlin"
        clinic.save(update_fields=["time_zone"])
    more = [_user(clinic, f"clin{i}@{clinic.slug}.bench.test", f"Clinician {i}", "clinician") for i in range(7)]
    clinicians = [user, *more]
    seed_hours(clinic=clinic, clinicians=clinicians)
    today = clinic_today(clinic)
    first = today - timedelta(days=28)
    since = timezone.now() - timedelta(days=30)
    booked = {  # 08:00 in Berlin falls on the same day in UTC
        t.astimezone(UTC).date()
        for t in Appointment.objects.for_clinic(clinic)
        .filter(clinician=user, starts_at__gte=since)
        .values_list("starts_at", flat=True)
    }
    patient_ids = list(Patient.objects.for_clinic(clinic).order_by("pk").values_list("pk", flat=True)[:5000])
    started, written = time.perf_counter(), 0
    for offset in range(57):
        day = first + timedelta(days=offset)
        if day not in booked:
            written += seed_book(clinic=clinic, clinicians=clinicians, patient_ids=patient_ids, first_day=day, days=1,
                                 now=timezone.now())  # fmt: skip
    if written:
        print(f"appointments {clinic.slug}: {written} for {len(clinicians)} clinicians "
              f"in {time.perf_counter() - started:.2f} s", flush=True)  # fmt: skip
    return today.isoformat()


@dataclass
class Side:
    """One clinic as the pages see it: signed-in clients and the records the URLs name."""

    label: str
    clinic: Any
    client: Any
    desk_client: Any
    session: Any
    patient_ids: list[int]
    episode_ids: list[int]
    today: str


def bench_side(label: str, clinic, rounds: int) -> Side:  # type: ignore[no-untyped-def]
    """Users, session and book for `clinic`; the patients the overview visits are spread evenly
    over the whole clinic (not only the oldest), each with its first episode for the chart."""
    from django.test import Client

    from dryneedling.patients.models import Episode, Patient

    user = _user(clinic, f"bench@{clinic.slug}.bench.test", "Bench", "clinician")
    desk = _user(clinic, f"desk@{clinic.slug}.bench.test", "Desk", "front_desk")
    session = _open_session(user)
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    desk_client = Client()
    desk_client.force_login(desk)
    today = _appointment_book(clinic, user, desk)
    every = list(Patient.objects.for_clinic(clinic).order_by("pk").values_list("pk", flat=True))
    step = max(1, len(every) // rounds)
    patient_ids = every[::step][:rounds]
    firsts: dict[int, int] = {}
    episodes = Episode.objects.for_clinic(clinic).filter(patient_id__in=patient_ids).order_by("pk")
    for patient_id, episode_id in episodes.values_list("patient_id", "pk"):
        firsts.setdefault(patient_id, episode_id)
    episode_ids = [firsts[p] for p in patient_ids if p in firsts]
    return Side(label, clinic, client, desk_client, session, patient_ids, episode_ids, today)
