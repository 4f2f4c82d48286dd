from django.apps import AppConfig


class QuotationsConfig(AppConfig):
    name = "quotations"
    verbose_name = "Cotizaciones"
