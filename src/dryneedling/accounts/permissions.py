"""Who may do what: the one table of capabilities and the roles that hold them.

Services and selectors check a capability (`require(actor=…, capability=…)`); the README's
"Roles and permissions" table is this table printed (`dryneedling roles`), and a test keeps the
two equal. A member holds a set of roles and gets the union of what those roles may do.
"""

from __future__ import annotations

from dataclasses import dataclass

from dryneedling.accounts.models import Membership, Role, User

CLINICIAN, FRONT_DESK, CLINIC_ADMIN = Role.CLINICIAN.value, Role.FRONT_DESK.value, Role.CLINIC_ADMIN.value


@dataclass(frozen=True)
class Capability:
    key: str
    label: str  # the README's row
    roles: frozenset[str]
    refusal: str  # the sentence a refused member reads (names rules, never records)


DEMOGRAPHICS = Capability(
    "demographics",
    "Patients' demographics and episodes of care: register, find, edit",
    frozenset({FRONT_DESK, CLINICIAN, CLINIC_ADMIN}),
    "Your role in this clinic does not allow this. Ask a clinic admin if your work needs it.",
)
APPOINTMENTS = Capability(
    "appointments",
    "Appointments: book, move, cancel, mark arrived or no-show (clinicians: their own book)",
    frozenset({FRONT_DESK, CLINICIAN}),
    "Appointments are booked, moved and cancelled by the front desk and clinicians; "
    "clinic admins see the book but do not change it.",
)
PATIENT_LINKS = Capability(
    "patient_links",
    "Send patients their consent, education and check-in links",
    frozenset({FRONT_DESK, CLINICIAN}),
    "Only front desk and clinicians send patients their links. Ask a colleague at the desk.",
)
SUPERBILL = Capability(
    "superbill",
    "Superbills (of signed sessions only, for every role)",
    frozenset({FRONT_DESK, CLINICIAN}),
    "Only front desk and clinicians print superbills.",
)
BILLING = Capability(
    "billing",
    "Patients' charges, payments, balances and statements (charges of signed sessions only)",
    frozenset({FRONT_DESK, CLINICIAN, CLINIC_ADMIN}),
    "Your role in this clinic does not allow billing. Ask a clinic admin if your work needs it.",
)
ACCOUNTING = Capability(
    "accounting",
    "Void a payment; export charges and payments for the clinic's accounting",
    frozenset({CLINIC_ADMIN}),
    "Only a clinic admin voids payments and exports the clinic's charges and payments. Ask a clinic admin.",
)
CLINICAL = Capability(
    "clinical",
    "Clinical records: screening, consent in the clinic, findings, pain drawings, sessions, notes, "
    "check-in answers, outcomes, home-care plans, clinical alerts and red flags",
    frozenset({CLINICIAN}),
    "Only a clinician can read or write the clinical record (screening, chart, sessions, notes, "
    "check-in answers, outcomes, home care, alerts). Front desk and clinic admins see the patient's "
    "details; a clinic admin who also needles can be given the clinician role.",
)
SIGN_NOTES = Capability(
    "sign_notes",
    "Sign notes (only the session's own clinician signs)",
    frozenset({CLINICIAN}),
    "Only a clinician can sign a note, and only the note of their own session.",
)
CLINIC_ADMINISTRATION = Capability(
    "clinic_admin",
    "Users, clinic settings, fees, two-factor policy and resets",
    frozenset({CLINIC_ADMIN}),
    "Only a clinic admin can change the clinic's users and settings.",
)
AUDIT = Capability(
    "audit",
    "Audit trail, patients' access reports and clinic reports",
    frozenset({CLINIC_ADMIN}),
    "Only a clinic admin can read the audit trail and the clinic's reports.",
)
ANALYTICS = Capability(
    "analytics",
    "Clinic analytics: outcomes, side effects and per-clinician safety charts (counts and rates, no patient names)",
    frozenset({CLINICIAN, CLINIC_ADMIN}),
    "Only clinicians and clinic admins can read the clinic's outcome and safety analytics.",
)
BULK_EXPORT = Capability(
    "bulk_export",
    "FHIR Bulk Data export of the whole clinic or a group of patients (`/fhir/$export`, with an API token)",
    frozenset({CLINICIAN, CLINIC_ADMIN}),
    "Only clinicians and clinic admins export the clinic's records in bulk (FHIR $export): the export "
    "holds the clinical record. Ask a clinic admin if your work needs it.",
)

CAPABILITIES = (
    DEMOGRAPHICS,
    APPOINTMENTS,
    PATIENT_LINKS,
    SUPERBILL,
    BILLING,
    ACCOUNTING,
    CLINICAL,
    SIGN_NOTES,
    CLINIC_ADMINISTRATION,
    AUDIT,
    ANALYTICS,
    BULK_EXPORT,
)
# Imports from other systems (issue 13: FHIR Bundles and NDJSON, Jane App and Cliniko CSV) move a
# clinic's records in, the clinical ones included: a clinic admin or a clinician runs them (on the
# command line; no page offers them, so they are no row of the table). The apps' import paths
# (`<app>/services_import.py`) check it instead of their everyday capability.
IMPORT_ROLES = frozenset({CLINICIAN, CLINIC_ADMIN})
IMPORT_REFUSAL = "Only a clinic admin or a clinician of the clinic imports records from other systems."
SIGNED_SUPERBILL_ONLY = (
    "No superbill yet: the session's note is not signed yet. The superbill is ready once the clinician "
    "who ran the session signs the note."
)


def require(*, actor: User, capability: Capability, reason: str = "") -> Membership:
    """The actor's membership if one of their roles holds `capability`; else PermissionDenied with
    `reason` (or the capability's refusal), which the 403 page shows."""
    from dryneedling.accounts.selectors import require_role  # selectors import this table

    return require_role(actor=actor, roles=set(capability.roles), reason=reason or capability.refusal)


def allows(*, actor: User, capability: Capability) -> bool:
    """Whether the actor's roles hold `capability` (to choose what a page shows, never to guard)."""
    from dryneedling.accounts.selectors import membership_or_none

    membership = membership_or_none(actor=actor)
    return membership is not None and membership.has_role(*capability.roles)


def permissions_table() -> str:
    """The README's table: one row per capability, one column per role."""
    roles = [Role.FRONT_DESK, Role.CLINICIAN, Role.CLINIC_ADMIN]
    lines = [
        "| Capability | " + " | ".join(str(r.label) for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for capability in CAPABILITIES:
        cells = ["yes" if r.value in capability.roles else "—" for r in roles]
        lines.append(f"| {capability.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def require_importer(*, actor: User) -> Membership:
    """The actor's membership if they may import records from other systems (IMPORT_ROLES)."""
    from dryneedling.accounts.selectors import require_role

    return require_role(actor=actor, roles=IMPORT_ROLES, reason=IMPORT_REFUSAL)
