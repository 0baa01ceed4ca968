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

PERSONAS = ("anon", "inactive", "carol", "bob", "alice", "dana")
"""Anonymous; Ina, a clinician of clinic A signed in and then deactivated; Carol, a clinician of
clinic B; Bob, front desk of clinic A; Alice, clinician of clinic A; Dana, clinic admin of clinic A."""
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

Expect = frozenset[str]
OK: Expect = frozenset({"200"})
DONE: Expect = frozenset({"200", "400", "go"})
GO: Expect = frozenset({"go"})
LOGIN: Expect = frozenset({"login"})
REFUSED: Expect = frozenset({"403"})
NOT_FOUND: Expect = frozenset({"404"})
NOT_ALLOWED: Expect = frozenset({"405"})
SIGNED_OUT = ("anon", "inactive")


@dataclass(frozen=True)
class Row:
    get: dict[str, Expect] | None = None
    post: dict[str, Expect] | None = None
    public: bool = False  # no login needed: unlisted methods answer 405 to everyone


def everyone(expect: Expect) -> dict[str, Expect]:
    return dict.fromkeys(PERSONAS, expect)


def signed_in(*, carol: Expect, bob: Expect, alice: Expect, dana: Expect) -> dict[str, Expect]:
    """A route behind the login: the signed-out personas go to the login page."""
    return {"anon": LOGIN, "inactive": LOGIN, "carol": carol, "bob": bob, "alice": alice, "dana": dana}


def clinic_a(expect: Expect) -> dict[str, Expect]:
    """A record of clinic A that every role of clinic A may use; Carol (clinic B) gets 404."""
    return signed_in(carol=NOT_FOUND, bob=expect, alice=expect, dana=expect)


def clinicians_of_a(expect: Expect) -> dict[str, Expect]:
    """A clinical act on a record of clinic A: Alice only; the other roles are refused in words."""
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
    "login": Row(
        get={"anon": OK, "inactive": OK} | dict.fromkeys(("carol", "bob", "alice", "dana"), GO),
        post={"anon": OK, "inactive": OK} | dict.fromkeys(("carol", "bob", "alice", "dana"), GO),
        public=True,
    ),
    "logout": Row(post=everyone(LOGIN), public=True),
    # --- password reset by email: public (a signed-in user may reset too); an empty POST shows the
    # form again; the matrix's link carries a made-up token, which answers "this link does not work" ---
    "password-reset": Row(get=everyone(OK), post=everyone(OK), public=True),
    "password-reset-done": Row(get=everyone(OK), public=True),
    "password-reset-confirm": Row(get=everyone(OK), post=everyone(OK), public=True),
    "password-reset-complete": Row(get=everyone(OK), public=True),
    # --- the signed-in user's own account: password change and active sessions ---
    "password-change": Row(get=any_clinic(OK), post=any_clinic(DONE)),
    "sessions": Row(get=any_clinic(OK)),
    "sessions-end-others": Row(post=any_clinic(GO)),
    "session-end": Row(post=any_clinic(GO)),
    # --- patients and episodes ---
    "patient-list": Row(get=any_clinic(OK)),
    "patient-create": Row(get=any_clinic(OK), post=any_clinic(DONE)),
    "patient-detail": Row(get=clinic_a(OK)),
    # Who saw this record: the clinic admin's accounting of disclosures.
    "patient-access-report": Row(get=signed_in(carol=NOT_FOUND, bob=REFUSED, alice=REFUSED, dana=OK)),
    "patient-edit": Row(get=clinic_a(OK), post=clinic_a(DONE)),
    "episode-create": Row(get=clinic_a(OK), post=clinic_a(DONE)),
    "intake-create": Row(get=clinic_a(OK), post=clinic_a(DONE)),
    # Consent lets a session start: recorded in the clinic by clinicians only (others send the link).
    "consent-add": Row(get=clinicians_of_a(OK), post=clinicians_of_a(DONE)),
    "episode-edit": Row(get=clinic_a(OK), post=clinic_a(DONE)),
    # --- chart (pages and htmx partials) ---
    "episode-chart": Row(get=clinic_a(OK)),
    "chart-propose": Row(get=clinic_a(DONE)),  # an htmx partial: no region given is a 400
    "finding-add": Row(post=clinic_a(DONE)),
    "pain-drawing-add": Row(post=clinic_a(DONE)),
    # --- sessions ---
    "session-new": Row(get=clinic_a(OK), post=clinic_a(DONE)),
    "session-detail": Row(get=clinic_a(OK)),
    "insertion-guardrails": Row(post=clinic_a(DONE)),
    "insertion-add": Row(post=clinic_a(DONE)),
    "adverse-event-add": Row(post=clinic_a(DONE)),
    "session-finish": Row(post=clinic_a(DONE)),
    "session-clean": Row(post=clinic_a(DONE)),
    # --- notes and billing (HTML and PDF) ---
    "note-detail": Row(get=clinic_a(OK), post=clinic_a(DONE)),
    "note-sign": Row(post=clinicians_of_a(DONE)),
    "note-amend": Row(post=clinic_a(DONE)),
    "superbill": Row(get=clinic_a(OK)),
    "superbill-pdf": Row(get=clinic_a(OK)),
    "dashboard": Row(get=any_clinic(OK), post=own_clinic_clinicians(DONE)),
    # --- follow-up (pages, the outcome chart SVG) ---
    "followup-list": Row(get=any_clinic(OK), post=own_clinic_clinicians(DONE)),
    "course-complete": Row(post=clinicians_of_a(DONE)),
    "outcome-add": Row(post=clinic_a(DONE)),
    "episode-outcomes-svg": Row(get=clinic_a(OK)),
    "home-care-plan": Row(get=clinic_a(OK), post=clinicians_of_a(DONE)),
    "consent-link": Row(post=clinic_a(DONE)),
    # --- public links (no account; the token is the key) ---
    "public-check-in": Row(get=everyone(OK), post=everyone(DONE), public=True),
    "public-home-care": Row(get=everyone(OK), public=True),
    "public-home-care-pdf": Row(get=everyone(OK), public=True),
    "public-consent": Row(get=everyone(OK), post=everyone(DONE), public=True),
    "education": Row(get=everyone(OK), public=True),
    "education-pdf": Row(get=everyone(OK), public=True),
    # --- clinic administration and safety records ---
    "audit-list": Row(get=admin_only(OK)),
    # A clinician is sent on to their own credentials; Carol to hers, in clinic B.
    "credentials": Row(get=signed_in(carol=GO, bob=REFUSED, alice=GO, dana=OK)),
    "credentials-detail": Row(
        get=signed_in(carol=NOT_FOUND, bob=REFUSED, alice=OK, dana=OK),
        post=signed_in(carol=NOT_FOUND, bob=REFUSED, alice=DONE, dana=DONE),
    ),
    "training-record-retire": Row(post=clinic_a(DONE)),
    "sharps-list": Row(get=any_clinic(OK)),
    "sharps-new": Row(get=any_clinic(OK), post=any_clinic(DONE)),
    "sharps-detail": Row(get=clinic_a(OK), post=clinic_a(DONE)),
    "safety-settings": Row(get=admin_only(OK), post=admin_only(DONE)),
    # --- two-factor sign-in: the code page and enrolment serve every signed-in user (a user who
    # has an authenticator is sent on from enrolment; one without is sent on from the code page);
    # the clinic's two-factor page, policy and resets are the clinic admin's. ---
    "two-factor-verify": Row(get=any_clinic(frozenset({"200", "go"})), post=any_clinic(DONE)),
    "two-factor-setup": Row(get=any_clinic(frozenset({"200", "go"})), post=any_clinic(DONE)),
    "two-factor-admin": Row(get=admin_only(OK)),
    "two-factor-policy": Row(post=admin_only(DONE)),
    "two-factor-reset": Row(post=signed_in(carol=REFUSED, bob=REFUSED, alice=REFUSED, dana=DONE)),
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
