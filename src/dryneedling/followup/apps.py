from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "dryneedling.followup"
    label = "followup"

    def ready(self) -> None:
        from dryneedling.followup import signals  # noqa: F401  (keeps the outcome windows)
