from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "dryneedling.accounting"
    label = "accounting"
