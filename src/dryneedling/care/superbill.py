"""The claim-ready superbill (issue 11): the treatment app's bill plus the rendering clinician's
credentials and individual NPI, which live in the clinic's safety records (a layer above treatment)."""

from __future__ import annotations

from typing import Any

from dryneedling.accounts.models import User
from dryneedling.clinical.npi import npi_is_valid
from dryneedling.safetyrecords.selectors import clinician_profile_for
from dryneedling.treatment.billing import superbill_for

WHERE = (
    "{name} adds it under My training, “Profession, credentials and NPI” "
    "(or a clinic admin, under Clinician credentials)."
)


def claim_superbill_for(*, actor: User, session_id: int) -> dict[str, Any]:
    """The superbill context with ``rendering`` (name, credentials, NPI of the clinician who ran the
    session) and the problems of a missing or invalid individual NPI, in words naming who fixes it."""
    context = superbill_for(actor=actor, session_id=session_id)
    clinician = context["session"].clinician
    profile = clinician_profile_for(clinician=clinician)
    name = clinician.full_name or clinician.email
    credentials, npi = (profile.credentials, profile.npi) if profile else ("", "")
    problems = []
    if not npi:
        problems.append(f"{name} has no individual NPI on file. " + WHERE.format(name=name))
    elif not npi_is_valid(npi):
        problems.append(f"{name}'s NPI {npi} fails its check digit. " + WHERE.format(name=name))
    context["rendering"] = {"name": name, "credentials": credentials, "npi": npi}
    context["problems"] = problems + context["problems"]
    return context
