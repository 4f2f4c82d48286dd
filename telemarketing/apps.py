from django.apps import AppConfig


class TelemarketingConfig(AppConfig):
    name = "telemarketing"
    verbose_name = "Telemercadeo"
