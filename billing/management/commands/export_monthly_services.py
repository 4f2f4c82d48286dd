"""Write the consolidated workbook of a month's executed special services, and
optionally the ZIP of their proofs, as the coordinator's page does."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.consolidation import month_orders, proofs_zip_write, workbook_export
from billing.periods import month_parse
from core.formatting import format_pesos


class Command(BaseCommand):
    help = (
        "Escribe el consolidado (.xlsx) de los servicios especiales ejecutados en un "
        "mes de America/Bogota y, con --proofs, el ZIP de sus soportes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--month", required=True, help="Mes como AAAA-MM, p. ej. 2026-11."
        )
        parser.add_argument(
            "--output", required=True, type=Path, help="Archivo .xlsx a escribir."
        )
        parser.add_argument(
            "--proofs", type=Path, help="Archivo .zip para los soportes (opcional)."
        )

    def handle(self, *args, month, output, proofs, **options):
        try:
            period = month_parse(month)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        if output.suffix.lower() != ".xlsx":
            raise CommandError(
                _("El archivo de salida «%(path)s» debe terminar en .xlsx.")
                % {"path": output}
            )
        if not output.parent.is_dir():
            raise CommandError(
                _("La carpeta «%(path)s» no existe. Créela o elija otra ruta.")
                % {"path": output.parent}
            )
        if proofs is not None and not proofs.parent.is_dir():
            raise CommandError(
                _("La carpeta «%(path)s» no existe. Créela o elija otra ruta.")
                % {"path": proofs.parent}
            )

        orders = month_orders(period)
        summary = workbook_export(orders, str(output), month=period)
        orders_text = ngettext(
            "%(count)s orden", "%(count)s órdenes", summary.orders
        ) % {"count": summary.orders}
        rows_text = ngettext(
            "%(count)s servicio", "%(count)s servicios", summary.rows
        ) % {"count": summary.rows}
        self.stdout.write(
            _(
                "Consolidado de %(month)s: %(orders)s, %(rows)s, total %(total)s → %(path)s"
            )
            % {
                "month": period.label,
                "orders": orders_text,
                "rows": rows_text,
                "total": format_pesos(summary.total),
                "path": output,
            }
        )
        if proofs is not None:
            count = proofs_zip_write(orders, proofs)
            files_text = ngettext("%(count)s archivo", "%(count)s archivos", count) % {
                "count": count
            }
            self.stdout.write(
                _("Soportes: %(files)s → %(path)s")
                % {"files": files_text, "path": proofs}
            )
