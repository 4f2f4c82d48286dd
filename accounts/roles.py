"""The roles of the sales procedure, each backed by a Django group of the same name."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "Administrador", _("Administrador")
    DIRECTOR = "Director de ventas", _("Director de ventas")
    COORDINATOR = "Coordinador de ventas", _("Coordinador(a) de ventas")
    ADVISOR = "Asesor comercial", _("Asesor comercial")
    BILLING = "Facturación", _("Facturación")
    OPERATIONS = "Operaciones", _("Operaciones (supervisor)")
    LOGISTICS = "Auxiliar logístico", _("Auxiliar logístico")


# Roles that see every customer and manage the sales team's work.
MANAGER_ROLES = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.COORDINATOR})

# Roles that may read every customer without managing them: billing approves customers
# and operations need addresses to perform services.
READ_ALL_ROLES = MANAGER_ROLES | {Role.BILLING, Role.OPERATIONS, Role.LOGISTICS}
