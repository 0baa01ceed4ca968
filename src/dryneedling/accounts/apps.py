from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dryneedling.accounts"
    label = "accounts"

    def ready(self) -> None:
        from dryneedling.accounts import signals  # noqa: F401  (connects the sign-in/out receivers)
