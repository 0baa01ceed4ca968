"""Recording a screening: parse the answers, run the engine, store everything, audit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINICAL, require
from dryneedling.clinical.screening import AnswerError, ScreeningContext, parse_answers, screen
from dryneedling.intake.models import Screening
from dryneedling.patients.models import Episode, Patient
from dryneedling.patients.selectors import episode_get_for, patient_get_for


@transaction.atomic
def screening_record(
    *, actor: User, patient: Patient, answers: dict[str, Any], episode: Episode | None = None
) -> Screening:
    # A screening gates needling ("Screened by … — Suitable"): a clinician's judgement.
    require(actor=actor, capability=CLINICAL)
    patient = patient_get_for(actor=actor, patient_id=patient.pk)
    if episode is not None:
        episode = episode_get_for(actor=actor, episode_id=episode.pk)
        if episode.patient_id != patient.pk:
            raise ValidationError({"episode": "This episode belongs to another patient."})
    try:
        parsed = parse_answers(answers, sex=patient.sex)
    except AnswerError as error:
        raise ValidationError(str(error)) from None
    context = ScreeningContext(sex=patient.sex, age_of_consent=patient.clinic.age_of_consent)
    decision = screen(parsed, context=context)
    result = decision.to_dict()
    screening = Screening.objects.create(
        clinic=patient.clinic,
        patient=patient,
        episode=episode,
        performed_by=actor,
        answers=parsed.to_dict(),
        decision=decision.decision,
        refer_to_physician=decision.refer_to_physician,
        emergency=decision.emergency,
        rule_ids=list(decision.rule_ids),
        result=result,
        knowledge_version=decision.knowledge_version,
    )
    audit_record(
        actor=actor,
        action="screening.create",
        obj=screening,
        # The decision is clinical data: it stays in the record, not in the audit detail.
        detail={"patient_id": patient.pk, "age_of_consent": context.age_of_consent},
    )
    return screening
