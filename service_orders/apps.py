from django.apps import AppConfig


class ServiceOrdersConfig(AppConfig):
    name = "service_orders"
    verbose_name = "Órdenes de servicio y programación"
