from django.apps import AppConfig


class SafetyRecordsConfig(AppConfig):
    name = "dryneedling.safetyrecords"
    label = "safetyrecords"
