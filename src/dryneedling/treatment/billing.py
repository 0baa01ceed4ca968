"""The superbill of a session: CPT from distinct muscles, ICD-10-CM from the episode, clinic fees."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dryneedling.accounts.models import User
from dryneedling.clinical.billing import Abn, derive_cpt, get_billing, superbill_lines
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.patients.models import Patient
from dryneedling.treatment.models import Payer, Session
from dryneedling.treatment.selectors import billable_session_get_for, fee_schedule_for
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


def superbill_for(*, actor: User, session_id: int) -> dict[str, Any]:
    """Everything the superbill page and PDF show. Problems are listed, never raised as a 500."""
    session = billable_session_get_for(actor=actor, session_id=session_id)
    knowledge = get_knowledge()
    insertions = list(session.insertions.all())
    cpt = derive_cpt(needled=[i.needled() for i in insertions])
    conditions = list(session.episode.conditions.all())
    fees = fee_schedule_for(clinic_id=session.clinic_id)
    problems: list[str] = []
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
                service_date=timezone.localdate(session.started_at),
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
