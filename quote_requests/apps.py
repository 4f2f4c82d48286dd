from django.apps import AppConfig


class QuoteRequestsConfig(AppConfig):
    name = "quote_requests"
    verbose_name = "Solicitudes de cotización"
