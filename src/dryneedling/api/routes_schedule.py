"""The appointment book through the API (issue 13, second part): appointment types, appointments
(list, read, book). The same selectors and service as the web's book: a clinician with only the
clinician role sees and books their own appointments (a colleague's is refused in words, 403);
clinic admins see the book but do not change it. The book's refusals are JSON: a clash with
another appointment is 409, a time outside working hours or on an earlier day 422 naming the field,
each with the web's sentence. Moving, cancelling and marking arrival stay in the web for now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Query, Router, Status

from dryneedling.accounts.permissions import APPOINTMENTS, require
from dryneedling.accounts.selectors import membership_for
from dryneedling.api.auth import require_write
from dryneedling.api.common import (
    FieldErrors,
    audited,
    audited_page,
    aware,
    field_error,
    refused,
    resolved,
)
from dryneedling.api.schemas import Error
from dryneedling.api.schemas_schedule import AppointmentIn, AppointmentOut, AppointmentPage, AppointmentTypeOut
from dryneedling.patients.selectors import episode_get_for, patient_get_for
from dryneedling.scheduling import selectors as book
from dryneedling.scheduling.services import (
    BookingClash,
    appointment_book,
    appointment_types_seed,
    own_book_check,
)

router = Router(tags=["appointments"])
BOOKING_FIELDS = {
    "time": "starts_at",
    "date": "starts_at",
    "clinician": "clinician_id",
    "patient": "patient_id",
    "appointment_type": "appointment_type_id",
    "episode": "episode_id",
}
FROM = Query(None, alias="from", description="Starting at or after this moment (with a time zone).")
TO = Query(None, alias="to", description="Starting before this moment (with a time zone).")


@router.get("/appointment-types", response=list[AppointmentTypeOut], summary="The clinic's appointment types")
def appointment_types(request: Any) -> Any:
    appointment_types_seed(clinic=membership_for(actor=request.user).clinic)  # as the web's booking page
    return book.appointment_types_for(actor=request.user)


@router.get(
    "/appointments",
    response={200: AppointmentPage, 400: Error, 403: Error, 404: Error},
    summary="Appointments, by last change (of a patient, a clinician, starting from/to)",
)
def appointments(
    request: Any,
    patient_id: int | None = None,
    clinician_id: int | None = None,
    starts_from: datetime | None = FROM,
    starts_to: datetime | None = TO,
    cursor: str | None = None,
    limit: int = 50,
    updated_since: datetime | None = None,
) -> dict[str, Any]:
    patient = patient_get_for(actor=request.user, patient_id=patient_id) if patient_id is not None else None
    records = book.appointments_for(actor=request.user, patient=patient, clinician_id=clinician_id,
                                    start=aware(starts_from, "from"), end=aware(starts_to, "to"))  # fmt: skip
    return audited_page(request, records, what="appointment", cursor=cursor, limit=limit, updated_since=updated_since)


@router.get(
    "/appointments/{appointment_id}", response={200: AppointmentOut, 403: Error, 404: Error}, summary="One appointment"
)
def appointment(request: Any, appointment_id: int) -> Any:
    found = book.appointment_get_for(actor=request.user, appointment_id=appointment_id)
    return audited(request, found, what="appointment")


@router.post(
    "/appointments",
    response={201: AppointmentOut, 403: Error, 409: Error, 422: Error},
    summary="Book an appointment (write scope; front desk and clinicians)",
)
def appointment_new(request: Any, data: AppointmentIn) -> Any:
    """As the web's booking form: the end follows from the type; a double booking (409), a time
    outside the clinician's working hours or on an earlier day (422) is refused in words."""
    require_write(request)
    membership = require(actor=request.user, capability=APPOINTMENTS)  # the role first, in words
    own_book_check(membership, data.clinician_id)
    appointment_types_seed(clinic=membership.clinic)  # a new clinic's first booking creates the defaults
    patient = resolved("patient_id", "patient", lambda: patient_get_for(actor=request.user, patient_id=data.patient_id))
    episode = None
    if data.episode_id is not None:
        episode_id = data.episode_id
        episode = resolved("episode_id", "episode", lambda: episode_get_for(actor=request.user, episode_id=episode_id))
    clinician = book.clinician_for(actor=request.user, clinician_id=data.clinician_id)
    kind = book.appointment_types_for(actor=request.user).filter(pk=data.appointment_type_id).first()
    problems = [field_error("clinician_id", "Choose a clinician of this clinic.")] if clinician is None else []
    if kind is None:
        problems.append(field_error("appointment_type_id", "Choose one of this clinic's appointment types."))
    if problems or clinician is None or kind is None:
        raise FieldErrors(problems)
    starts_at = data.starts_at  # a naive time goes on to the service, which says it needs its zone
    if starts_at.tzinfo is not None:
        try:
            starts_at = starts_at.astimezone(UTC)
        except OverflowError:
            raise FieldErrors([field_error("starts_at", "A moment between the years 1 and 9999 in UTC.")]) from None
    try:
        made = appointment_book(actor=request.user, clinician=clinician, patient=patient, appointment_type=kind,
                                starts_at=starts_at, episode=episode)  # fmt: skip
    except BookingClash as clash:
        return Status(409, {"detail": " ".join(clash.messages)})
    except ValidationError as error:
        raise refused(error, BOOKING_FIELDS, default="starts_at") from None
    return Status(201, made)
