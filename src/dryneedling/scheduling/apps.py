from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "dryneedling.scheduling"
    label = "scheduling"
