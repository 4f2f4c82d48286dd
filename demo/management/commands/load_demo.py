from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from customers.models import Customer
from demo import data
from demo.after_sales import demo_after_sales_load
from demo.sales import demo_sales_load
from demo.services import (
    DEFAULT_CUSTOMER_COUNT,
    DEFAULT_SEED,
    DemoRefusedError,
    demo_load,
)


class Command(BaseCommand):
    help = (
        "Carga datos ficticios de demostración: personal en cada rol, zonas y "
        "clientes asignados. Nunca en producción."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="No hacer nada si ya hay clientes en la base de datos.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Semilla del generador: la misma semilla da los mismos clientes.",
        )
        parser.add_argument(
            "--customers",
            type=int,
            default=DEFAULT_CUSTOMER_COUNT,
            help="Número de clientes a inventar (por defecto %(default)s).",
        )

    def handle(self, *args, if_empty, seed, customers, **options):
        if settings.IS_PRODUCTION:
            raise CommandError(
                _(
                    "No se cargan datos de demostración en producción "
                    "(DJANGO_ENV=production). Use una base de datos de desarrollo."
                )
            )
        if if_empty and Customer.objects.exists():
            self.stdout.write(
                "Ya hay clientes en la base de datos: no se cargan datos de "
                "demostración."
            )
            return

        try:
            result = demo_load(seed=seed, customer_count=customers)
        except DemoRefusedError as error:
            raise CommandError(str(error)) from error
        if demo_sales_load(seed=seed) is not None:
            demo_after_sales_load(seed=seed)

        self.stdout.write(
            self.style.SUCCESS(
                f"Datos de demostración cargados: {result.customers_created} "
                "clientes nuevos."
            )
        )
        for zone, count in result.zone_counts.items():
            self.stdout.write(f"  Zona {zone}: {count} clientes")
        self.stdout.write(f"  Sin zona ni asesor: {result.unassigned_count} clientes")
        self._print_staff(result.staff)

    def _print_staff(self, staff):
        width = max(len(member.username) for member in staff)
        role_width = max(len(member.role) for member in staff)
        self.stdout.write("")
        self.stdout.write("Usuarios de demostración (empresa ficticia):")
        self.stdout.write(f"  {'Usuario':<{width}}  {'Rol':<{role_width}}  Contraseña")
        for member in staff:
            self.stdout.write(
                f"  {member.username:<{width}}  {member.role:<{role_width}}  "
                f"{data.DEMO_PASSWORD}"
            )
        self.stdout.write("")
        self.stdout.write(
            f"Ingrese en {settings.SITE_URL}/ con cualquiera de estos usuarios, "
            "por ejemplo «director»."
        )
