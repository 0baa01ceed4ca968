from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "dryneedling.patients"
    label = "patients"
