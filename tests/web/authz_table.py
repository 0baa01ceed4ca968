"""The one table of who may do what on which route, keyed by URL name.

Read a row as: for GET and for POST, the outcome class each persona gets, in the order of
PERSONAS. A method a row does not list must answer 405 to every signed-in persona; on a route
behind the login, anonymous visitors (and a deactivated user, whose session no longer counts)
are sent to the login page first, which tells them nothing about the route or its records.

Outcome classes (see `classify`): "200", "400", "403", "404", "405", "410", "login" (302 to the
login page), "go" (any other 302). DONE means "the request was authorized and handled": with the
matrix's empty POST that is a form shown again with its errors (200), a 400, or a redirect. An
empty POST cannot reach a role check that a service makes after validating its input; the
services' own tests cover those.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.urls import reverse

PERSONAS = ("anon", "inactive", "carol", "bob", "alice", "dana", "mia")
"""Anonymous; Ina, a clinician of clinic A signed in and then deactivated; Carol, a clinician of
clinic B; Bob, front desk of clinic A; Alice, clinician of clinic A; Dana, clinic admin of clinic A;
Mia, clinic admin of clinic A who also holds the clinician role (she gets what both roles get).

The roles' capabilities are those of `dryneedling.accounts.permissions`; the helpers below name
them: `demographics`, `links`, `clinical`, `admin_only`."""
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

Expect = frozenset[str]
OK: Expect = frozenset({"200"})
DONE: Expect = frozenset({"200", "400", "go"})
GO: Expect = frozenset({"go"})
LOGIN: Expect = frozenset({"login"})
REFUSED: Expect = frozenset({"403"})
NOT_FOUND: Expect = frozenset({"404"})
NOT_READY: Expect = frozenset({"409"})  # the record is not in the state the route needs (an unsigned note)
NOT_ALLOWED: Expect = frozenset({"405"})
SIGNED_OUT = ("anon", "inactive")


@dataclass(frozen=True)
class Row:
    get: dict[str, Expect] | None = None
    post: dict[str, Expect] | None = None
    public: bool = False  # no login needed: unlisted methods answer 405 to everyone


def everyone(expect: Expect) -> dict[str, Expect]:
    return dict.fromkeys(PERSONAS, expect)


def signed_in(
    *, carol: Expect, bob: Expect, alice: Expect, dana: Expect, mia: Expect | None = None
) -> dict[str, Expect]:
    """A route behind the login: the signed-out personas go to the login page. Mia holds Alice's
    and Dana's roles, so by default she gets Alice's outcome, or Dana's where Alice is refused."""
    if mia is None:
        mia = dana if alice == REFUSED else alice
    return {"anon": LOGIN, "inactive": LOGIN, "carol": carol, "bob": bob, "alice": alice, "dana": dana, "mia": mia}


def clinic_a(expect: Expect) -> dict[str, Expect]:
    """A record of clinic A that every role of clinic A may use; Carol (clinic B) gets 404."""
    return signed_in(carol=NOT_FOUND, bob=expect, alice=expect, dana=expect)


def demographics(expect: Expect) -> dict[str, Expect]:
    """Patients' details and episodes of clinic A: every role of clinic A; Carol (clinic B) gets 404."""
    return clinic_a(expect)


def links(expect: Expect) -> dict[str, Expect]:
    """Sending a patient of clinic A their link: front desk and clinicians; the clinic admin is refused."""
    return signed_in(carol=NOT_FOUND, bob=expect, alice=expect, dana=REFUSED)


def clinical(expect: Expect) -> dict[str, Expect]:
    """The clinical record of clinic A (pages, htmx partials, SVGs, PDFs and writes): clinicians of
    clinic A only; front desk and the clinic admin are refused in words; Carol (clinic B) gets 404."""
    return signed_in(carol=NOT_FOUND, bob=REFUSED, alice=expect, dana=REFUSED)


def any_clinic(expect: Expect) -> dict[str, Expect]:
    """A page of the user's own clinic (lists, forms, the knowledge base): every role."""
    return signed_in(carol=expect, bob=expect, alice=expect, dana=expect)


def admin_only(expect: Expect) -> dict[str, Expect]:
    return signed_in(carol=REFUSED, bob=REFUSED, alice=REFUSED, dana=expect)


def own_clinic_clinicians(expect: Expect) -> dict[str, Expect]:
    """Clinicians act on their own clinic's list (Carol on clinic B's); other roles refused."""
    return signed_in(carol=expect, bob=REFUSED, alice=expect, dana=REFUSED)


TABLE: dict[str, Row] = {
    # --- sign-in, health, the start page ---
    "home": Row(get=everyone(GO), public=True),
    "healthz": Row(get=everyone(OK), public=True),
    # Today: every role lands here and sees the lists its roles hold (issue 10).
    "today": Row(get=any_clinic(OK)),
    "login": Row(
        get={"anon": OK, "inactive": OK} | dict.fromkeys(("carol", "bob", "alice", "dana", "mia"), GO),
        post={"anon": OK, "inactive": OK} | dict.fromkeys(("carol", "bob", "alice", "dana", "mia"), GO),
        public=True,
    ),
    "logout": Row(post=everyone(LOGIN), public=True),
    # --- password reset by email: public (a signed-in user may reset too); an empty POST shows the
    # form again; the matrix's link carries a made-up token, which answers "this link does not work" ---
    "password-reset": Row(get=everyone(OK), post=everyone(OK), public=True),
    "password-reset-done": Row(get=everyone(OK), public=True),
    "password-reset-confirm": Row(get=everyone(OK), post=everyone(OK), public=True),
    "password-reset-complete": Row(get=everyone(OK), public=True),
    "invite-accept": Row(get=everyone(OK), post=everyone(OK), public=True),
    "invite-complete": Row(get=everyone(OK), public=True),
    # --- the signed-in user's own account: password change and active sessions ---
    "password-change": Row(get=any_clinic(OK), post=any_clinic(DONE)),
    "sessions": Row(get=any_clinic(OK)),
    "api-tokens": Row(get=any_clinic(OK), post=any_clinic(DONE)),
    "api-token-revoke": Row(post=any_clinic(GO)),
    "sessions-end-others": Row(post=any_clinic(GO)),
    "session-end": Row(post=any_clinic(GO)),
    # --- patients and episodes (demographics: every role; the patient page hides the clinical
    # sections from the roles that may not read them) ---
    "patient-list": Row(get=any_clinic(OK)),
    "patient-create": Row(get=any_clinic(OK), post=any_clinic(DONE)),
    "patient-detail": Row(get=demographics(OK)),
    # Who saw this record: the clinic admin's accounting of disclosures.
    "patient-access-report": Row(get=signed_in(carol=NOT_FOUND, bob=REFUSED, alice=REFUSED, dana=OK)),
    "patient-edit": Row(get=demographics(OK), post=demographics(DONE)),
    "episode-create": Row(get=demographics(OK), post=demographics(DONE)),
    # The screening gates needling: clinical.
    "intake-create": Row(get=clinical(OK), post=clinical(DONE)),
    # Consent lets a session start: recorded in the clinic by clinicians only (others send the link).
    "consent-add": Row(get=clinical(OK), post=clinical(DONE)),
    "episode-edit": Row(get=demographics(OK), post=demographics(DONE)),
    # --- chart (pages and htmx partials) ---
    "episode-chart": Row(get=clinical(OK)),
    "chart-propose": Row(get=clinical(DONE)),  # an htmx partial: no region given is a 400
    "finding-add": Row(post=clinical(DONE)),
    "pain-drawing-add": Row(post=clinical(DONE)),
    "finding-correct": Row(get=clinical(OK), post=clinical(DONE)),
    # --- sessions (the page and its htmx partials) ---
    "session-new": Row(get=clinical(OK), post=clinical(DONE)),
    "session-detail": Row(get=clinical(OK)),
    "insertion-guardrails": Row(post=clinical(DONE)),
    "insertion-add": Row(post=clinical(DONE)),
    "adverse-event-add": Row(post=clinical(DONE)),
    "adverse-event-correct": Row(get=clinical(OK), post=clinical(DONE)),
    "session-finish": Row(post=clinical(DONE)),
    "session-clean": Row(post=clinical(DONE)),
    # --- notes and billing (HTML and PDF) ---
    "note-detail": Row(get=clinical(OK), post=clinical(DONE)),
    # Only the session's own clinician signs: Mia, a clinician of clinic A too, is refused.
    "note-sign": Row(post=signed_in(carol=NOT_FOUND, bob=REFUSED, alice=DONE, dana=REFUSED, mia=REFUSED)),
    "note-amend": Row(post=clinical(DONE)),
    # The matrix's session is not signed yet: no role gets its superbill (issue 11), front desk and
    # clinicians alike are told why (409); the clinic admin holds no SUPERBILL capability (403).
    # tests/web/test_roles.py shows Bob the superbill once Alice signs.
    "superbill": Row(get=signed_in(carol=NOT_FOUND, bob=NOT_READY, alice=NOT_READY, dana=REFUSED)),
    "superbill-pdf": Row(get=signed_in(carol=NOT_FOUND, bob=NOT_READY, alice=NOT_READY, dana=REFUSED)),
    "session-abn": Row(get=clinical(OK), post=clinical(DONE)),
    # --- charges, payments and statements (issue 11): every role of clinic A bills (BILLING); voiding
    # a payment and the accounting export are the clinic admin's (ACCOUNTING) ---
    "patient-billing": Row(get=clinic_a(OK), post=clinic_a(DONE)),
    "patient-charges-post": Row(post=clinic_a(GO)),
    "patient-statement-pdf": Row(get=clinic_a(OK)),
    "payment-void": Row(post=signed_in(carol=NOT_FOUND, bob=REFUSED, alice=REFUSED, dana=GO)),
    "balances": Row(get=any_clinic(OK)),
    "ledger-export": Row(get=admin_only(DONE)),
    # Every role lands on the dashboard; its clinical tasks show to clinicians only.
    "dashboard": Row(get=any_clinic(OK), post=own_clinic_clinicians(DONE)),
    # Clinic analytics (issue 12): clinicians and clinic admins, each of their own clinic (Carol: B's).
    "analytics": Row(get=signed_in(carol=OK, bob=REFUSED, alice=OK, dana=OK)),
    "analytics-chart": Row(get=signed_in(carol=OK, bob=REFUSED, alice=OK, dana=OK)),
    "analytics-csv": Row(get=signed_in(carol=OK, bob=REFUSED, alice=OK, dana=OK)),
    "analytics-recompute": Row(post=signed_in(carol=GO, bob=REFUSED, alice=GO, dana=GO)),
    # --- follow-up (pages, the outcome chart SVG) ---
    "followup-list": Row(get=own_clinic_clinicians(OK), post=own_clinic_clinicians(DONE)),
    "course-complete": Row(post=clinical(DONE)),
    "outcome-add": Row(post=clinical(DONE)),
    "episode-outcomes-svg": Row(get=clinical(OK)),
    "episode-progress-pdf": Row(get=clinical(OK)),
    "home-care-plan": Row(get=clinical(OK), post=clinical(DONE)),
    "consent-link": Row(post=links(DONE)),
    # Sending a link by email or SMS (issue 10): the matrix's empty POST names no link (400); a home-care
    # plan's link is the clinicians' (the service refuses front desk: tests/web/test_link_send_views.py).
    "patient-link-send": Row(post=links(DONE)),
    # --- public links (no account; the token is the key) ---
    "public-check-in": Row(get=everyone(OK), post=everyone(DONE), public=True),
    "public-home-care": Row(get=everyone(OK), public=True),
    "public-home-care-pdf": Row(get=everyone(OK), public=True),
    "public-consent": Row(get=everyone(OK), post=everyone(DONE), public=True),
    "education": Row(get=everyone(OK), public=True),
    "education-pdf": Row(get=everyone(OK), public=True),
    # --- clinic administration and safety records ---
    "audit-list": Row(get=admin_only(OK)),
    # A clinician is sent on to their own credentials; Carol to hers, in clinic B; a clinic admin
    # (Mia too, though she also needles) sees the list.
    "credentials": Row(get=signed_in(carol=GO, bob=REFUSED, alice=GO, dana=OK, mia=OK)),
    "credentials-detail": Row(
        get=signed_in(carol=NOT_FOUND, bob=REFUSED, alice=OK, dana=OK),
        post=signed_in(carol=NOT_FOUND, bob=REFUSED, alice=DONE, dana=DONE),
    ),
    "training-record-retire": Row(post=clinic_a(DONE)),
    "sharps-list": Row(get=any_clinic(OK)),
    "sharps-new": Row(get=any_clinic(OK), post=any_clinic(DONE)),
    "sharps-detail": Row(get=clinic_a(OK), post=clinic_a(DONE)),
    "safety-settings": Row(get=admin_only(OK), post=admin_only(DONE)),
    # --- clinic settings (issue 10): the clinic admin's; the invitation link is public (a made-up
    # token answers "this link does not work") ---
    "clinic-settings": Row(get=admin_only(OK)),
    "clinic-users": Row(get=admin_only(OK), post=admin_only(DONE)),
    "clinic-user-roles": Row(post=admin_only(GO)),
    "clinic-user-action": Row(post=admin_only(GO)),
    "clinic-profile": Row(get=admin_only(OK), post=admin_only(DONE)),
    "clinic-policy": Row(get=admin_only(OK), post=admin_only(DONE)),
    "clinic-fees": Row(get=admin_only(OK), post=admin_only(DONE)),
    "clinic-fee-remove": Row(post=admin_only(GO)),
    "clinic-check-ins": Row(get=admin_only(OK), post=admin_only(DONE)),
    "clinic-outcome-rules": Row(get=admin_only(OK), post=admin_only(DONE)),
    "clinic-logo-settings": Row(get=admin_only(OK), post=admin_only(DONE)),
    "clinic-logo-remove": Row(post=admin_only(GO)),
    # The logo on staff pages: any member of the clinic, their own clinic's (the world gives clinic
    # A a logo; Carol's clinic B has none, so she gets 404 and never sees clinic A's).
    "clinic-logo": Row(get=signed_in(carol=NOT_FOUND, bob=OK, alice=OK, dana=OK)),
    "clinic-reminders": Row(get=admin_only(OK), post=admin_only(DONE)),
    "research-export": Row(get=admin_only(OK), post=admin_only(DONE)),
    # CSV import (issue 13): an empty preview or import request goes back to the upload page
    "csv-import": Row(get=admin_only(OK), post=admin_only(DONE)),
    "csv-import-preview": Row(get=admin_only(GO), post=admin_only(GO)),
    # --- two-factor sign-in: the code page and enrolment serve every signed-in user (a user who
    # has an authenticator is sent on from enrolment; one without is sent on from the code page);
    # the clinic's two-factor page, policy and resets are the clinic admin's. ---
    "two-factor-verify": Row(get=any_clinic(frozenset({"200", "go"})), post=any_clinic(DONE)),
    "two-factor-setup": Row(get=any_clinic(frozenset({"200", "go"})), post=any_clinic(DONE)),
    "two-factor-admin": Row(get=admin_only(OK)),
    "two-factor-policy": Row(post=admin_only(DONE)),
    "two-factor-reset": Row(post=signed_in(carol=REFUSED, bob=REFUSED, alice=REFUSED, dana=DONE)),
    # --- the appointment book (issue 10): front desk and clinicians book and change; clinic admins
    # see every clinician's book; a clinician sees and changes their own ---
    "schedule-day": Row(get=any_clinic(OK)),
    "schedule-week": Row(get=any_clinic(OK)),
    "appointment-book": Row(
        get=signed_in(carol=OK, bob=OK, alice=OK, dana=REFUSED),
        post=signed_in(carol=DONE, bob=DONE, alice=DONE, dana=REFUSED),
    ),
    "working-hours": Row(get=any_clinic(OK), post=admin_only(DONE)),
    "calendar-feed": Row(get=own_clinic_clinicians(OK), post=own_clinic_clinicians(DONE)),
    "appointment-detail": Row(get=clinic_a(OK)),
    "appointment-move": Row(post=signed_in(carol=NOT_FOUND, bob=DONE, alice=DONE, dana=REFUSED)),
    "appointment-cancel": Row(post=signed_in(carol=NOT_FOUND, bob=DONE, alice=DONE, dana=REFUSED)),
    "appointment-status": Row(post=signed_in(carol=NOT_FOUND, bob=DONE, alice=DONE, dana=REFUSED)),
    "appointment-next": Row(get=clinic_a(GO)),  # booked, not arrived: back to the appointment
    "calendar-feed-ics": Row(get=everyone(OK), public=True),  # the secret address is the key
    # --- analytics (issue 12): the clinic's own figures for clinic admins and clinicians (Carol sees
    # clinic B's); the front desk is refused in words ---
    "analytics-response": Row(get=signed_in(carol=OK, bob=REFUSED, alice=OK, dana=OK)),
    "analytics-response-svg": Row(get=signed_in(carol=OK, bob=REFUSED, alice=OK, dana=OK)),
    "analytics-response-csv": Row(get=signed_in(carol=OK, bob=REFUSED, alice=OK, dana=OK)),
    "analytics-response-recompute": Row(post=signed_in(carol=GO, bob=REFUSED, alice=GO, dana=GO)),
    # --- knowledge base (no patient data, staff only) ---
    "kb-index": Row(get=any_clinic(OK)),
    "kb-muscle": Row(get=any_clinic(OK)),
    "kb-condition": Row(get=any_clinic(OK)),
    "kb-contraindications": Row(get=any_clinic(OK)),
    "kb-side-effects": Row(get=any_clinic(OK)),
    "kb-evidence": Row(get=any_clinic(OK)),
}


def expected_outcome(name: str, method: str, persona: str) -> Expect:
    row = TABLE[name]
    listed = {"GET": row.get, "POST": row.post}.get(method)
    if listed is not None:
        return listed[persona]
    if persona in SIGNED_OUT and not row.public:
        return LOGIN
    return NOT_ALLOWED


def classify(response: HttpResponse) -> str:
    if response.status_code == 302:
        return "login" if response["Location"].startswith(reverse("login")) else "go"
    return str(response.status_code)
