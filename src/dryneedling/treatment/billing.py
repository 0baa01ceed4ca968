"""The superbill of a session: CPT from distinct muscles, ICD-10-CM from the episode, clinic fees."""

from __future__ import annotations

from typing import Any

from dryneedling.accounts import zones
from dryneedling.accounts.models import Clinic, User
from dryneedling.clinical import place_of_service
from dryneedling.clinical.billing import Abn, derive_cpt, get_billing, superbill_lines
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.npi import npi_is_valid
from dryneedling.patients.models import Patient
from dryneedling.treatment.billing_selectors import billable_session_get_for, same_day_sessions_for
from dryneedling.treatment.models import Payer, Session
from dryneedling.treatment.selectors import fee_schedule_for
from dryneedling.treatment.services.fees import BILLABLE_CODES


def payer_default_for(patient: Patient) -> str:
    """The payer a new session of this patient starts with (the clinician may change it): Medicare
    when the patient's insurance says so, commercial when a payer or member ID is on file, else
    self-pay."""
    if patient.insurance_medicare:
        return Payer.MEDICARE
    if patient.insurance_payer or patient.insurance_member_id:
        return Payer.COMMERCIAL
    return Payer.SELF_PAY


def abn_of(session: Session) -> Abn | None:
    """The ABN recorded at the session's start (Medicare only), for ``clinical.billing.medicare_claim``."""
    if not session.abn_issued:
        return None
    return Abn(issued=True, issued_on=session.abn_issued_on, signed=session.abn_signed, option=session.abn_option)


DIAGNOSIS_LETTERS = "ABCDEFGHIJKL"  # CMS-1500 item 21 holds 12 diagnoses, lettered A-L
CLINIC_PROFILE = "A clinic admin adds it under Clinic settings, Clinic profile."


def clinic_identity_problems(clinic: Clinic) -> list[str]:
    """What the clinic's profile lacks for a claim, in words saying who fixes it and where."""
    problems = []
    if not clinic.npi:
        problems.append(f"The clinic has no NPI on file. {CLINIC_PROFILE}")
    elif not npi_is_valid(clinic.npi):
        problems.append(f"The clinic's NPI {clinic.npi} fails its check digit. {CLINIC_PROFILE}")
    if not clinic.tax_id:
        problems.append(f"The clinic has no tax ID (EIN) on file. {CLINIC_PROFILE}")
    if not clinic.address:
        problems.append(f"The clinic has no address on file. {CLINIC_PROFILE}")
    return problems


def same_day_problem(session: Session, others: list[Session]) -> str:
    """Words naming the patient's other session(s) on this date of service."""
    named = "; ".join(
        f"session #{s.pk} (started {zones.local(s.started_at, session.clinic):%H:%M}, {s.clinician.full_name})"
        for s in others
    )
    return (
        f"This patient has {len(others)} other session{'s' if len(others) > 1 else ''} on this date of service: "
        f"{named}. Payers usually expect one claim per date of service for 20560/20561: bill the day's "
        "distinct muscles once, and check with the payer before sending more than one superbill for the day."
    )


def superbill_for(*, actor: User, session_id: int) -> dict[str, Any]:
    """Everything the superbill page and PDF show, for a session whose note is signed (else
    SuperbillNotReady). Problems are listed, never raised as a 500."""
    session, note = billable_session_get_for(actor=actor, session_id=session_id)
    knowledge = get_knowledge()
    insertions = list(session.insertions.all())
    cpt = derive_cpt(needled=[i.needled() for i in insertions])
    conditions = list(session.episode.conditions.all())
    fees = fee_schedule_for(clinic_id=session.clinic_id)
    service_date = zones.local(session.started_at, session.clinic).date()
    problems: list[str] = clinic_identity_problems(session.clinic)
    same_day = same_day_sessions_for(session=session)
    if same_day:
        problems.append(same_day_problem(session, same_day))
    if len(conditions) > len(DIAGNOSIS_LETTERS):
        problems.append(
            f"The episode has {len(conditions)} diagnoses; a claim holds {len(DIAGNOSIS_LETTERS)} (A-L). "
            "The clinician keeps the ones this visit treated on the episode."
        )
    if cpt.code is not None and cpt.code not in fees:
        problems.append(
            f"The clinic's fee schedule has no fee for {cpt.code}, so the superbill shows “no fee set”. "
            "A clinic admin sets it under Clinic settings, Fee schedule."
        )
    bill = None
    if cpt.code is None:
        problems.append("No muscle was needled in this session: there is nothing to bill.")
    elif not conditions:
        problems.append("The episode has no ICD-10-CM code: add the diagnosis to the episode first.")
    else:
        try:
            bill = superbill_lines(
                cpt=cpt,
                icd10_codes=[c.code for c in conditions],
                payer=session.payer,
                chronic_low_back_pain_medicare=session.chronic_low_back_pain and session.payer == "medicare",
                fee_schedule={code: fees.get(code) for code in BILLABLE_CODES},
                abn=abn_of(session),
                service_date=service_date,
            )
        except ValueError as error:
            problems.append(str(error).capitalize() + ".")
    if bill is not None and bill.medicare is not None:
        problems += bill.medicare.problems
        if not bill.medicare.bill_medicare:
            problems.append(f"{bill.medicare.rule.message} Do not submit this superbill to Medicare.")
    billing = get_billing()
    cited = set(cpt.sources)
    if bill is not None:
        cited |= {s for n in (*bill.warnings, *bill.notes) for s in n.sources}
    sources = [billing.sources.get(s) or knowledge.sources.get(s) for s in sorted(cited)]
    return {
        "session": session,
        "note": note,
        "date_of_service": service_date,
        "diagnoses": list(zip(DIAGNOSIS_LETTERS, conditions, strict=False)),
        "place_of_service": place_of_service.place_of_service_label(session.clinic.place_of_service),
        "place_of_service_source": place_of_service.SOURCE,
        "same_day_sessions": same_day,
        "patient": session.patient,
        "episode": session.episode,
        "clinic": session.clinic,
        "conditions": conditions,
        "cpt": cpt,
        "bill": bill,
        "problems": problems,
        "muscles": cpt.labels,
        "count_rules": [billing.rules[r] for r in cpt.rules_applied],
        "insertion_count": len(insertions),
        "sources": [s for s in sources if s is not None],
    }
