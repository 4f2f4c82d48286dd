from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerminationsConfig(AppConfig):
    name = "terminations"
    verbose_name = _("Terminaciones anticipadas")
