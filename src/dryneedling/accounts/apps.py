from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dryneedling.accounts"
    label = "accounts"
