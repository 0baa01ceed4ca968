"""The clinician's record: consent, findings, pain drawings, sessions, insertions, side effects,
notes with amendments, and the clinic's fee schedule. (The follow-up a serious side effect needs
is a `followup.Alert`.)

Every row carries its clinic. Sessions and notes carry a version for optimistic locking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import models
from django.utils import timezone

from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.tenancy import ClinicScoped
from dryneedling.intake.models import Screening
from dryneedling.patients.models import Episode, Patient, Touched


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    MIDLINE = "midline", "Midline"


class Consent(ClinicScoped):
    """Consent to dry needling on file (minimal until the patient-side consent lands)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    version = models.CharField(max_length=20, default="clinic-v1")
    covers_chest_and_neck = models.BooleanField(default=False)
    items = models.JSONField(default=list, blank=True, help_text="Consent item ids agreed to")
    signed_name = models.CharField(max_length=200)
    signer = models.CharField(
        max_length=12,
        choices=[("patient", "The patient"), ("substitute", "Substitute decision-maker")],
        default="patient",
    )
    signature_svg = models.TextField(blank=True, max_length=20000, help_text="Drawn signature as SVG path data")
    # Empty when the patient signed through a link (no staff member recorded it).
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Consent {self.version} ({timezone.localtime(self.recorded_at):%Y-%m-%d})"


class Finding(ClinicScoped):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        LATENT = "latent", "Latent"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="findings")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="findings")
    muscle_id = models.CharField(max_length=60)
    side = models.CharField(max_length=8, choices=Side.choices)
    view = models.CharField(max_length=5)
    x = models.FloatField()
    y = models.FloatField()
    status = models.CharField(max_length=6, choices=Status.choices)
    taut_band = models.BooleanField(default=False)
    tenderness = models.PositiveSmallIntegerField(help_text="Local tenderness 0-10")
    familiar_pain = models.BooleanField(default=False, help_text="Reproduces the patient's familiar pain")
    referral_reproduced = models.BooleanField(default=False)
    referral_regions = models.JSONField(default=list, blank=True)
    ppt_kg_cm2 = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # Corrections made before a signed note covered the finding, oldest first:
    # [{"at", "by" (user id), "changes": {field: [before, after]}, "reason"}].
    corrections = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["episode", "-recorded_at"])]
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.muscle_id} ({self.side}), {self.status}"


class PainDrawing(ClinicScoped):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="pain_drawings")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="pain_drawings")
    regions = models.JSONField(help_text="{region_id: intensity 1-10}")
    extent_percent = models.FloatField()
    nprs = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Pain now, 0-10")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"Pain drawing {timezone.localtime(self.recorded_at):%Y-%m-%d} ({self.extent_percent}%)"


class Payer(models.TextChoices):
    COMMERCIAL = "commercial", "Commercial insurance"
    MEDICARE = "medicare", "Medicare"
    SELF_PAY = "self_pay", "Self-pay"


class Session(ClinicScoped, Touched):
    """A needling session. `updated_at` is stamped at every change of the session and of its points
    and side effects (the API nests them: a new point makes the session come again)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="sessions")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="sessions")
    clinician = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    checklist = models.JSONField()
    payer = models.CharField(max_length=12, choices=Payer.choices, default=Payer.COMMERCIAL)
    chronic_low_back_pain = models.BooleanField(default=False)
    # The Advance Beneficiary Notice of Non-coverage (CMS-R-131), Medicare only: the modifier of the
    # superbill's line is derived from it (clinical.billing.medicare_claim).
    abn_issued = models.BooleanField(default=False)
    abn_issued_on = models.DateField(null=True, blank=True)
    abn_signed = models.BooleanField(default=False)
    abn_option = models.PositiveSmallIntegerField(null=True, blank=True, choices=[(1, "1"), (2, "2"), (3, "3")])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The screening's precautions, each acknowledged with what the clinician will do about it:
    # [{"rule_id", "reason", "action"}].
    precaution_acks = models.JSONField(default=list, blank=True)
    # Clean-technique checklist, done before the first insertion: {item: true, "at": iso time}.
    clean_technique = models.JSONField(null=True, blank=True)
    # Needle count: every needle used must be accounted for before the session is completed.
    needles_used = models.PositiveSmallIntegerField(null=True, blank=True)
    needles_removed = models.PositiveSmallIntegerField(null=True, blank=True)
    # The technique of most of the session's insertions (`main_technique_of`), kept by
    # insertion_record: the analytics group by it without counting insertions per session (issue 12).
    main_technique = models.CharField(max_length=12, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "-started_at"]),
            models.Index(fields=["episode", "-started_at"]),
            # A clinician's open sessions on Today, in start order.
            models.Index(fields=["clinic", "clinician", "status", "started_at"], name="session_clinician_status_idx"),
            # The analytics' sessions and patients treated, counted from the index alone (issue 12).
            models.Index(fields=["clinic", "status", "patient"], name="session_clinic_status_patient"),
            # The patient page's sessions (issue 14): without planner statistics SQLite took the
            # clinic index above and walked the clinic's sessions.
            models.Index(fields=["clinic", "patient", "-started_at"], name="session_clinic_patient_started"),
        ]
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="in_progress"),
                name="one_session_in_progress_per_patient",
            )
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} ({timezone.localtime(self.started_at):%Y-%m-%d})"


class Technique(models.TextChoices):
    PISTONING = "pistoning", "Pistoning (fast-in, fast-out)"
    STATIC = "static", "Static retention"
    ELECTRICAL = "electrical", "Electrical"


def main_technique_of(techniques: Iterable[str]) -> str:
    """The technique used most often ("" for none); a tie goes to the first in the order
    pistoning, static, electrical."""
    counts = Counter(techniques)
    if not counts:
        return ""
    order = [t.value for t in Technique]
    return max(counts, key=lambda t: (counts[t], -order.index(t) if t in order else -len(order)))


class Insertion(ClinicScoped):
    """One needled point of a session."""

    clinic_path = "session__clinic"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="insertions")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    muscle_id = models.CharField(max_length=60)
    side = models.CharField(max_length=8, choices=Side.choices)
    anatomical_muscle = models.CharField(
        max_length=60, blank=True, help_text="The member needled in a grouped entry (e.g. semitendinosus of hamstrings)"
    )
    technique = models.CharField(max_length=12, choices=Technique.choices, default=Technique.PISTONING)
    handling = models.CharField(max_length=16, blank=True)
    needle_diameter_mm = models.DecimalField(max_digits=3, decimal_places=2)
    needle_length_mm = models.PositiveSmallIntegerField()
    target_depth_mm = models.PositiveSmallIntegerField(null=True, blank=True)
    distance_from_midline_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    planned_seconds = models.PositiveIntegerField()
    actual_seconds = models.PositiveIntegerField()
    twitch_count = models.PositiveSmallIntegerField(default=0)
    patient_response = models.CharField(max_length=300, blank=True)
    guardrails = models.JSONField(default=list, help_text="Guardrails shown before the insertion")
    # Electrical dry needling: {"device", "frequency_hz", "pulse_width_us", "intensity_ma", "duration_min"}
    # and the insertion carrying the other lead of the pair.
    electrical = models.JSONField(null=True, blank=True)
    paired_with = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    override_reason = models.CharField(max_length=500, blank=True)
    performed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    performed_at = models.DateTimeField(default=timezone.now)
    # The key the point form made for this submission (issue 14): a retry of the same submission
    # finds the point saved under it instead of saving a second. Points recorded before have none.
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["performed_at", "id"]
        # The analytics' muscle-region filter: the sessions with an insertion in a set of muscles (issue 12).
        indexes = [models.Index(fields=["muscle_id", "session"], name="insertion_muscle_session_idx")]
        constraints = [models.UniqueConstraint(fields=["session", "client_key"], name="insertion_once_per_client_key")]

    def __str__(self) -> str:
        return f"{self.muscle_id} ({self.side}) {self.actual_seconds}s"

    def needled(self) -> tuple[str, str, str | None]:
        """What billing counts (``clinical.billing.derive_cpt``): muscle entry, side, member named."""
        return self.muscle_id, self.side, self.anatomical_muscle or None


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    SIGNIFICANT = "significant", "Significant"
    SERIOUS = "serious", "Serious"


class AdverseEvent(ClinicScoped):
    class Onset(models.TextChoices):
        DURING = "during", "During the session"
        AFTER = "after", "After the session"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="adverse_events")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="adverse_events")
    kind = models.CharField(max_length=60, help_text="Side-effect id from the knowledge base")
    severity = models.CharField(max_length=12, choices=Severity.choices)
    onset = models.CharField(max_length=6, choices=Onset.choices)
    onset_at = models.DateTimeField(default=timezone.now)
    management = models.CharField(max_length=1000, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    notes = models.CharField(max_length=1000, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # Corrections made before the session's note was signed, as on `Finding.corrections`.
    corrections = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-onset_at", "-id"]
        # An episode's side effects (the outcome chart, the progress report): the patient's, not
        # the clinic's (issue 14).
        indexes = [
            models.Index(fields=["clinic", "patient"], name="adverseevent_clinic_patient"),
            # The dashboard's serious side effects, newest first, read live on every view (issue 14):
            # the first hundred from the index instead of the clinic's every side effect, sorted.
            models.Index(fields=["clinic", "severity", "-onset_at", "-id"], name="adverseevent_severity_onset"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.severity})"


class Note(ClinicScoped, Touched):
    """The session's SOAP note. Read-only once signed; later changes are amendments (each touches
    the note's `updated_at`, which the signed-note trigger leaves writable)."""

    SECTIONS = ("subjective", "objective", "assessment", "plan")

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="note")
    subjective = models.TextField(max_length=10000)
    objective = models.TextField(max_length=10000)
    assessment = models.TextField(max_length=10000)
    plan = models.TextField(max_length=10000)
    version = models.PositiveIntegerField(default=1)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        # Today's unsigned notes: the few notes still open, not every note the clinic ever signed.
        indexes = [
            models.Index(fields=["clinic"], condition=models.Q(signed_at__isnull=True), name="note_unsigned_idx"),
        ]

    def __str__(self) -> str:
        return f"Note of session {self.session_id}"


class NoteAmendment(ClinicScoped):
    clinic_path = "note__clinic"
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="amendments")
    section = models.CharField(max_length=12)
    text = models.TextField(max_length=10000)
    reason = models.CharField(max_length=500)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Amendment to {self.section} ({timezone.localtime(self.created_at):%Y-%m-%d})"


class FeeScheduleItem(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="fees")
    code = models.CharField(max_length=10)
    amount = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "code"], name="fee_code_unique_in_clinic")]

    def __str__(self) -> str:
        return f"{self.code}: {self.amount}"
