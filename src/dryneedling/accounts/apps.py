from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dryneedling.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from dryneedling.accounts import signals  # noqa: F401  (connects the sign-in/out receivers)
        from dryneedling.accounts.dbstats import refresh_after_migrate

        # Once a migrate (sent for every app after all migrations ran; this app's is enough).
        post_migrate.connect(refresh_after_migrate, sender=self, dispatch_uid="planner_statistics_after_migrate")
