from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "dryneedling.followup"
    label = "followup"
