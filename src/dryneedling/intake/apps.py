from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "dryneedling.intake"
    label = "intake"
