from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "dryneedling.treatment"
    label = "treatment"

    def ready(self) -> None:
        from dryneedling.treatment import signals  # noqa: F401  (keeps Session.main_technique)
