"""The follow-up loop: check-ins reached by signed links, outcomes, alerts (red flags and serious side
effects), home-care plans."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.tenancy import ClinicScoped
from dryneedling.clinical.outcome_windows import window_of
from dryneedling.patients.models import Episode, Patient, Touched
from dryneedling.treatment.models import AdverseEvent, Session


class CheckIn(ClinicScoped, Touched):
    class Kind(models.TextChoices):
        SORENESS = "soreness", "24-48 hours after a session"
        WEEK_1 = "week_1", "1 week after the course"
        WEEK_4 = "week_4", "4 weeks after the course"
        WEEK_12 = "week_12", "12 weeks after the course"

    LONGEST_OPEN_WINDOW = timedelta(days=28)
    """No check-in stays open longer than this after it is due (services schedule at most 21 days):
    the bound lets worklists read only recent due dates instead of every unanswered check-in."""
    OPEN_WINDOWS = {
        Kind.SORENESS: timedelta(days=3),  # services: 48 h after due; the synthetic seeder: 72 h
        Kind.WEEK_1: timedelta(days=14),
        Kind.WEEK_4: timedelta(days=14),
        Kind.WEEK_12: timedelta(days=21),
    }
    """The longest a check-in of each kind stays open after it is due (issue 14): Today's overdue
    list reads each kind from its own bound, so it never walks the expired check-ins of a kind with
    a short window (a day's soreness check-ins) to reach the overdue ones."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="check_ins")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="check_ins")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="check_ins")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # The soreness readings (hours) whose reminder was sent, beyond the first (issue 11).
    reminded_hours = models.JSONField(default=list, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(null=True, blank=True)
    red_flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "kind"], name="one_check_in_kind_per_session")]
        indexes = [
            # Worklists read a clinic's due dates; the analytics' response rates (issue 12) count
            # kinds and answers from the index alone (120 -> 45 ms at 10,000 patients on SQLite).
            models.Index(fields=["clinic", "due_at", "kind", "answered_at"], name="checkin_clinic_due_kind_answer"),
            models.Index(fields=["reminder_sent_at", "due_at"]),
            # The patient page's and the outcome chart's check-ins (issue 14): without planner
            # statistics SQLite took the clinic's due-date index and walked the clinic.
            models.Index(fields=["clinic", "patient", "due_at"], name="checkin_clinic_patient_due"),
            models.Index(fields=["clinic", "episode", "due_at"], name="checkin_clinic_episode_due"),
            # Today's overdue check-ins (issue 14): the unanswered ones of one kind in due order,
            # their windows read from the index alone.
            models.Index(
                fields=["clinic", "kind", "due_at", "expires_at"],
                name="checkin_unanswered_kind_due",
                condition=models.Q(answered_at__isnull=True),
            ),
        ]
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {timezone.localtime(self.due_at):%Y-%m-%d}"


class SorenessReading(ClinicScoped):
    """One post-needling soreness score (0-10, NPRS-style) of a session at 0, 24, 48 or 72 hours
    (issue 11; clinical/soreness.py): the 0 h one entered by the clinician at the end of the
    session, the others by the patient through the session's soreness check-in link."""

    class Source(models.TextChoices):
        CLINIC = "clinic", "entered in the clinic"
        PATIENT = "patient", "reported by the patient"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="soreness_readings")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="soreness_readings")
    check_in = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="soreness_readings"
    )
    hours = models.PositiveSmallIntegerField()  # clinical.soreness.READING_HOURS
    score = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=7, choices=Source.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The session's main technique (Session.main_technique), copied on save and kept as its points
    # change (followup/signals.py), so soreness by technique reads one covering index (issue 12).
    technique = models.CharField(max_length=12, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "technique", "hours", "score"], name="soreness_technique_covering"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "hours"], name="one_soreness_reading_per_session_hour"),
            models.CheckConstraint(
                condition=models.Q(hours__in=(0, 24, 48, 72)) & models.Q(score__lte=10),
                name="soreness_reading_hours_and_score",
            ),
        ]
        ordering = ["session", "hours"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        sessions = Session.objects.for_record(self).filter(pk=self.session_id)
        self.technique = sessions.values_list("main_technique", flat=True).first() or ""
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "technique"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"soreness {self.score}/10 at {self.hours} h"


class OutcomeRecord(ClinicScoped, Touched):
    """One score of one instrument at one time (from a check-in or entered by a clinician)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="outcomes")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="outcomes")
    check_in = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcomes")
    instrument_id = models.CharField(max_length=20)
    value = models.FloatField()
    items = models.JSONField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The MCID verdict against the episode's first score of the instrument, with the rule, threshold and
    # sources applied when it was recorded (issue 11): a later change of the clinic's rules leaves it as is.
    verdict = models.JSONField(null=True, blank=True)
    # Read off the verdict and the episode's end of course by `derive` on every save (and by the bulk
    # writers, and again when the course ends), so the analytics aggregate plain columns (issue 12):
    # the window after the course (clinical.outcome_windows; "" when none or without a verdict),
    # the verdict's baseline and its responder flag.
    window = models.CharField(max_length=8, blank=True, default="")
    baseline = models.FloatField(null=True, blank=True)
    responder = models.BooleanField(null=True, blank=True)

    DERIVED = ("window", "baseline", "responder")

    class Meta:
        indexes = [
            models.Index(fields=["episode", "instrument_id", "recorded_at"]),
            # The dashboard's outcomes by window, from the index alone (issue 12).
            models.Index(
                fields=[
                    "clinic",
                    "instrument_id",
                    "window",
                    "recorded_at",
                    "episode",
                    "value",
                    "baseline",
                    "responder",
                ],
                name="outcome_window_covering",
            ),
        ]
        ordering = ["recorded_at", "id"]

    def derive(self, course_completed_at: datetime | None) -> None:
        """Set the derived columns from the verdict and the episode's end of course."""
        verdict = self.verdict if isinstance(self.verdict, dict) else None
        baseline = verdict.get("baseline") if verdict else None
        responder = verdict.get("responder") if verdict else None
        self.baseline = (
            float(baseline) if isinstance(baseline, int | float) and not isinstance(baseline, bool) else None
        )
        self.responder = responder if isinstance(responder, bool) else None
        self.window = window_of(self.recorded_at, course_completed_at) if verdict is not None else ""

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive(Episode.objects.for_record(self).filter(pk=self.episode_id).values_list(
            "course_completed_at", flat=True).first())  # fmt: skip
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.value:g} ({timezone.localtime(self.recorded_at):%Y-%m-%d})"


class Alert(ClinicScoped):
    """Something the clinic must follow up, open until a clinician closes it: a red flag a patient
    reported at a check-in, or a serious side effect recorded at a session (which blocks the
    patient's next session while open). One model, one list per page, one way to close it."""

    class Kind(models.TextChoices):
        RED_FLAG = "red_flag", "Red flag reported at a check-in"
        SERIOUS_SIDE_EFFECT = "serious_side_effect", "Serious side effect"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RED_FLAG)
    check_in = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    adverse_event = models.OneToOneField(
        AdverseEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="alert"
    )
    flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # What the clinician did; required to close a serious side effect's follow-up.
    resolution = models.CharField(max_length=1000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "acknowledged_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="red_flag", check_in__isnull=False, adverse_event__isnull=True)
                    | models.Q(kind="serious_side_effect", check_in__isnull=True, adverse_event__isnull=False)
                ),
                name="alert_has_the_source_of_its_kind",
            )
        ]

    def __str__(self) -> str:
        return f"Alert {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class HomeCarePlan(ClinicScoped):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="home_care_plans")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="home_care_plans")
    plan = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "created_at"], name="homecare_clinic_created_idx"),
            # The patient page's plans, newest first (issue 14), not the clinic's.
            models.Index(fields=["clinic", "patient", "-updated_at"], name="homecare_clinic_patient_upd"),
        ]

    def __str__(self) -> str:
        return f"Home-care plan {timezone.localtime(self.updated_at):%Y-%m-%d}"


class PatientLink(ClinicScoped):
    """A link a patient opens without an account. The token in the URL is `public_id` (random,
    from `secrets`) and its signature; it names no row. Resolved only by followup.links.resolve.

    Exactly one target column is set, the one of the link's purpose (a database constraint):
    a new purpose is a new choice, a new column, a new clause and a spec in followup.links.SPECS.
    """

    class Purpose(models.TextChoices):
        CHECKIN = "checkin", "check-in questionnaire"
        HOMECARE = "homecare", "home-care plan"
        CONSENT = "consent", "consent"

    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    public_id = models.CharField(max_length=32, unique=True)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    check_in = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="links")
    home_care_plan = models.ForeignKey(
        HomeCarePlan, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.CASCADE, related_name="links")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        purpose="checkin",
                        check_in__isnull=False,
                        home_care_plan__isnull=True,
                        patient__isnull=True,
                    )
                    | models.Q(
                        purpose="homecare",
                        check_in__isnull=True,
                        home_care_plan__isnull=False,
                        patient__isnull=True,
                    )
                    | models.Q(
                        purpose="consent",
                        check_in__isnull=True,
                        home_care_plan__isnull=True,
                        patient__isnull=False,
                    )
                ),
                name="patient_link_one_target_of_its_purpose",
            )
        ]
        ordering = ["-created_at", "-id"]
        # "Was this check-in's / plan's link sent?" from the clinic's worklists, by key.
        indexes = [
            models.Index(fields=["clinic", "check_in"], name="patientlink_clinic_checkin_idx"),
            models.Index(fields=["clinic", "home_care_plan"], name="patientlink_clinic_plan_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link of {timezone.localtime(self.created_at):%Y-%m-%d}"

    @property
    def target(self) -> models.Model:
        """The record the link opens: the check-in, the home-care plan, or the patient (consent)."""
        record = {
            self.Purpose.CHECKIN: self.check_in,
            self.Purpose.HOMECARE: self.home_care_plan,
            self.Purpose.CONSENT: self.patient,
        }[self.Purpose(self.purpose)]
        if record is None:  # the constraint forbids it
            raise ValueError("A patient link without its target.")
        return record


class CheckInSchedule(models.Model):
    """The course check-ins a clinic uses (issue 10), among those of followup/schedule.py. A clinic
    without a row uses all of them. No patient data: a setting of the clinic."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="check_in_schedule")
    kinds = models.JSONField(default=list)  # CheckIn.Kind values, in time order
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"check-in schedule of clinic {self.clinic_id}: {', '.join(self.kinds)}"


class LinkDelivery(ClinicScoped):
    """One sending of a patient's link by email or SMS (issue 10): by a member from the patient
    page, or by the `send-due` job (no `sent_by`). The address is kept masked (`j•••@example.test`,
    `•••• 0100`): enough to tell which of the patient's contacts it went to, without a second copy
    of the contact. An education link has no PatientLink (the page is the clinic's, not a token)."""

    class Kind(models.TextChoices):
        CONSENT = "consent", "consent form"
        CHECKIN = "checkin", "check-in questionnaire"
        HOMECARE = "homecare", "home-care plan"
        EDUCATION = "education", "about dry needling"

    class Channel(models.TextChoices):
        EMAIL = "email", "email"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        SENDING = "sending", "sending"  # claimed, the backend not answered yet
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="link_deliveries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    link = models.ForeignKey(PatientLink, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    to_masked = models.CharField(max_length=80)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.SENDING)
    failure = models.CharField(max_length=200, blank=True)  # in words, for the page
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "patient", "sent_at"]),
            models.Index(fields=["link", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="education", link__isnull=True)
                | (~models.Q(kind="education") & models.Q(link__isnull=False)),
                name="link_delivery_link_unless_education",
            )
        ]
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.get_channel_display()} {self.sent_at:%Y-%m-%d %H:%M}"


class OutcomeRules(models.Model):
    """A clinic's own MCID rules (issue 11): which NPRS rule (2 points or 30 %), and MCIDs or a GROC
    threshold that replace the catalogue's defaults. A clinic without a row uses the defaults. No
    patient data: a setting of the clinic."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="outcome_rules")
    nprs_rule = models.CharField(max_length=10, default="points")  # clinical.instruments.RULES
    nprs_relative_percent = models.FloatField(null=True, blank=True)
    mcids = models.JSONField(default=dict, blank=True)  # instrument id -> MCID in score units
    groc_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"outcome rules of clinic {self.clinic_id}"
