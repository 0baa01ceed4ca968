from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "dryneedling.interop"
    default_auto_field = "django.db.models.BigAutoField"
