"""Users, clinics (tenants), memberships with roles, and the append-only audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]  # django-otp is untyped
    """A person who signs in with an email address."""

    email = models.EmailField(unique=True, max_length=254)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email


REMINDER_CHANNELS = [("both", "Email and SMS"), ("email", "Email only"), ("sms", "SMS only"), ("none", "No reminders")]


class Clinic(models.Model):
    """A tenant: every patient record belongs to exactly one clinic."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Clinic policy (see docs/decisions.md): how long a screening stays valid for starting a
    # session, the planned session length the running total is compared with, and the default
    # seconds per point for pistoning (the source article says about 15-30 s).
    screening_validity_days = models.PositiveSmallIntegerField(default=30)
    session_minutes_min = models.PositiveSmallIntegerField(default=10)
    session_minutes_max = models.PositiveSmallIntegerField(default=15)
    default_point_seconds = models.PositiveSmallIntegerField(default=30)
    # Maintenance review: pain at follow-up above this NPRS, or 12 weeks after the course.
    maintenance_pain_threshold = models.PositiveSmallIntegerField(default=4)
    # Safety policy (issue 8): the age from which a patient consents for themselves (18 is the US
    # norm; a clinic elsewhere sets its own), and the jurisdiction whose dry-needling rules
    # (training hours, who may needle) apply; ids come from clinical/data/jurisdictions.yaml.
    age_of_consent = models.PositiveSmallIntegerField(default=18)
    jurisdiction = models.CharField(max_length=40, default="generic")
    # Two-factor sign-in (issue 9): always required of clinicians and clinic admins; a clinic
    # may require it of front desk too.
    require_two_factor_front_desk = models.BooleanField(default=False)
    # The clinic's IANA time zone (issue 10): appointment times are stored in UTC and entered and
    # shown in this zone, whatever the server's TIME_ZONE.
    time_zone = models.CharField(max_length=64, default="UTC")
    # The clinic's profile (issue 10): what a superbill names as the billing provider.
    address = models.TextField(max_length=300, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    npi = models.CharField("NPI", max_length=10, blank=True)
    tax_id = models.CharField("Tax ID (EIN)", max_length=10, blank=True)
    place_of_service = models.CharField("Place of service code", max_length=2, default="11")
    # Where a patient's red flag is also mailed (issue 10), besides the session's clinician: a
    # shared inbox someone reads during opening hours. Optional.
    alert_email = models.EmailField(blank=True, default="")
    # How `send-due` reminds patients of their appointments (issue 10): by email, by SMS, both or not
    # at all (a clinic that phones its patients itself).
    reminder_channel = models.CharField(max_length=5, choices=REMINDER_CHANNELS, default="both")

    def __str__(self) -> str:
        return self.name

    @property
    def reminder_channels(self) -> tuple[str, ...]:
        """The channels the clinic reminds patients by, email first: what `reminder_channel` means."""
        return tuple(c for c in ("email", "sms") if self.reminder_channel in (c, "both"))


class ClinicLogo(models.Model):
    """The clinic's logo, printed at the top of its PDFs (issue 10). A PNG or JPEG, checked and
    re-encoded on upload (accounts/logo.py), kept in the database: no media directory to serve,
    back up or guess names in, and `make demo` needs nothing on disk."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="logo")
    content = models.BinaryField()
    content_type = models.CharField(max_length=20)  # image/png or image/jpeg, from the content
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)  # of `content`: a cache key and the audit's before/after
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"logo of clinic {self.clinic_id} ({self.width}x{self.height} {self.content_type})"


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    FRONT_DESK = "front_desk", "Front desk"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"


ROLE_FLAGS = {Role.CLINICIAN: "is_clinician", Role.FRONT_DESK: "is_front_desk", Role.CLINIC_ADMIN: "is_clinic_admin"}
"""The boolean column that holds each role (queries read it: `membership__is_clinician=True`)."""


class Membership(models.Model):
    """A user's place in one clinic. One clinic per user (see docs/decisions.md).

    A member holds a *set* of roles: one boolean column per role (what every permission check and
    every query such as "the clinic's clinicians" reads), and `role`, the primary one, which the
    header shows. A database constraint keeps the primary role inside the set.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_clinician = models.BooleanField(default=False)
    is_front_desk = models.BooleanField(default=False)
    is_clinic_admin = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role=Role.CLINICIAN, is_clinician=True)
                | models.Q(role=Role.FRONT_DESK, is_front_desk=True)
                | models.Q(role=Role.CLINIC_ADMIN, is_clinic_admin=True),
                name="membership_primary_role_in_set",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.clinic} ({', '.join(sorted(self.roles)) or self.role})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The primary role is always in the set (the constraint holds it in the database too).
        if self.role in ROLE_FLAGS:
            setattr(self, ROLE_FLAGS[Role(self.role)], True)
        super().save(*args, **kwargs)

    @property
    def roles(self) -> frozenset[str]:
        """Every role the member holds, the primary one included."""
        return frozenset(str(role) for role, flag in ROLE_FLAGS.items() if getattr(self, flag))

    def has_role(self, *roles: str) -> bool:
        """Whether the member holds any of `roles`."""
        return not self.roles.isdisjoint(roles)

    def roles_display(self) -> str:
        """The roles by name, the primary first ("Clinic admin, Clinician")."""
        others = sorted(str(Role(r).label) for r in self.roles if r != self.role)
        return ", ".join([str(Role(self.role).label), *others])


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"


class AuditEvent(models.Model):
    """Append-only: database triggers refuse UPDATE and DELETE (migration 0002).

    Holds ids and actions only, never patient names or clinical text.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False)
    actor_email = models.CharField(max_length=254, blank=True)
    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # The patient whose record the event touched (an id only: the audit page and the access report
    # resolve the name when they show it, so the row never holds it).
    patient_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["clinic", "patient_id", "-at"], name="accounts_au_patient_idx"),
        ]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}:{self.object_id} {self.outcome}"


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """A user's single-use recovery codes, a django-otp device so that a code verifies a session.

    Replaces django-otp's static device, which stores its tokens in plain text: only the SHA-256
    of each code is kept (codes carry 80 random bits, so a fast hash cannot be reversed).
    """

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token: str) -> bool:
        from dryneedling.accounts.recovery import recovery_code_digest

        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        match = self.codes.filter(digest=recovery_code_digest(token)).first()
        if match is None:
            self.throttle_increment(commit=True)
            return False
        match.delete()  # single use
        self.throttle_reset(commit=True)
        return True


class RecoveryCode(models.Model):
    """One unused recovery code, stored as the SHA-256 hex digest of its normalised text."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"recovery code {self.pk} of device {self.device_id}"  # never the code


class RateLimitCounter(models.Model):
    """Requests counted in one fixed time window for one scope and key (accounts.ratelimit).

    The key is a keyed digest of what is counted (a client address, an email), so the table does
    not list addresses or emails. Rows of ended windows are pruned when a new window begins.
    """

    scope = models.CharField(max_length=40)
    key_digest = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key_digest", "window_start"], name="accounts_ratelimit_window")
        ]
        indexes = [models.Index(fields=["scope", "window_start"], name="accounts_ratelimit_prune")]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M:%S}: {self.count}"


class UserSession(models.Model):
    """One signed-in browser of a user, for the Active sessions page (accounts.sessions).

    Django's session table cannot be searched by user (the user id is inside the encoded data), so
    this row points at the session by its key. It holds no more than the page shows: when the
    session began, the browser and system in a few words, and the address it signed in from.
    When the session was last used comes from the session's own expiry (saved on every request).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    user_agent = models.CharField(max_length=80, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"session {self.pk} of user {self.user_id}"  # never the key


class ApiToken(models.Model):
    """A personal API token (issue 13): a user's key to `/api/`, with the user's own
    clinic and roles, so the API reads and writes exactly what the user could in the browser.

    Only a SHA-256 digest of the token is stored (the token carries 256 random bits, so a plain
    digest cannot be reversed by guessing); the prefix, shown in lists, finds the row. Every token
    expires; a revoked or expired token, or one of a deactivated user, authenticates nothing."""

    class Scope(models.TextChoices):
        READ = "read", "Read"
        WRITE = "write", "Read and write"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"API token {self.prefix}… ({self.name})"

    def usable_at(self, moment: Any) -> bool:
        return self.revoked_at is None and self.expires_at > moment
