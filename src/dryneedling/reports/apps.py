from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dryneedling.reports"
    label = "reports"
