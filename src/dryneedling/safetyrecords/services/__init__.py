"""Writes of the clinic safety records (services write, selectors read)."""

from dryneedling.safetyrecords.services.clinic_settings import clinic_safety_settings_update
from dryneedling.safetyrecords.services.credentials import (
    clinician_profile_set,
    training_record_add,
    training_record_retire,
)
from dryneedling.safetyrecords.services.incidents import sharps_incident_close, sharps_incident_report

__all__ = [
    "clinic_safety_settings_update",
    "clinician_profile_set",
    "sharps_incident_close",
    "sharps_incident_report",
    "training_record_add",
    "training_record_retire",
]
