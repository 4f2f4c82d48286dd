from django.apps import AppConfig


class FieldWorkConfig(AppConfig):
    name = "field_work"
    verbose_name = "Aforos, anticipos y soportes de servicio"
