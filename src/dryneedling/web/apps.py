from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "dryneedling.web"
    label = "web"
