from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "dryneedling.treatment"
    label = "treatment"
