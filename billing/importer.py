"""Import of invoice numbers from the accounting software's CSV export: one row per
service order with the invoice number and date.

The import is all or nothing through the shared engine (core.imports): a single
invalid row leaves every order as it was.
"""

from django.utils.translation import gettext_lazy as _

from billing.services import invoice_check, invoice_number_clean, order_invoice_set
from core.imports import (
    Column,
    Importer,
    Outcome,
    Severity,
    WriteResult,
    parse_date,
    register,
)
from service_orders.models import ServiceOrder

INVOICE_IMPORT_KIND = "facturas-servicios"

COLUMNS = [
    Column(
        "order",
        _("ORDEN DE SERVICIO"),
        aliases=("Orden", "Código de la orden", "Código orden", "OS", "Referencia"),
        required=True,
    ),
    Column(
        "number",
        _("NÚMERO DE FACTURA"),
        aliases=("Factura", "No. factura", "Número factura"),
        required=True,
    ),
    Column(
        "date",
        _("FECHA DE FACTURA"),
        aliases=("Fecha factura", "Fecha de emisión", "Fecha documento"),
        required=True,
    ),
    Column("nit", _("NIT"), aliases=("NIT cliente", "Identificación")),
]


@register
class InvoiceImporter(Importer):
    kind = INVOICE_IMPORT_KIND
    title = _("Facturas de servicios especiales")
    description = _(
        "Exportación CSV del programa contable: orden de servicio, número y fecha "
        "de la factura (y, si la trae, el NIT del cliente para verificarlo)."
    )
    columns = COLUMNS

    def prepare(self):
        # Invoice number -> (customer id, first row) of the rows read so far, so that
        # one number cannot cover orders of two customers inside the file either.
        self.invoice_customers: dict[str, tuple[int, int]] = {}
        # Order code -> first row that named it.
        self.order_rows: dict[str, int] = {}

    def parse_row(self, row):
        # Codes and numbers are matched in capitals, and messages show them as
        # the file writes them.
        written_code = row.text("order")
        code = written_code.upper()
        number = invoice_number_clean(row.text("number"))
        invoice_date = row.parse("date", parse_date, severity=Severity.ERROR)
        if not code:
            row.error(
                "order",
                _("Falta el código de la orden de servicio, p. ej. OS-2026-00015."),
            )
        if not number:
            row.error(
                "number",
                _(
                    "Falta el número de factura. Escríbalo como en el programa contable."
                ),
            )
        if invoice_date is None and not row.text("date"):
            row.error(
                "date", _("Falta la fecha de la factura. Escríbala como dd/mm/aaaa.")
            )
        if row.rejected:
            return None
        first_row = self.order_rows.setdefault(code, row.number)
        if first_row != row.number:
            row.error(
                "order",
                _(
                    "La orden %(code)s está repetida: aparece en las filas %(first)s y "
                    "%(row)s. Deje una sola fila por orden."
                )
                % {"code": written_code, "first": first_row, "row": row.number},
            )
            return None
        order = self._find_order(row, code, written_code)
        if order is not None:
            self._check_nit(row, order)
        if row.rejected:
            return None
        problems = invoice_check(
            order=order,
            number=number,
            invoice_date=invoice_date,
            written_number=row.text("number"),
        )
        for field, message in problems:
            row.error(field, message)
        seen = self.invoice_customers.get(number)
        if seen and seen[0] != order.customer_id:
            row.error(
                "number",
                _(
                    "La factura %(number)s ya aparece en la fila %(row)s para otro "
                    "cliente; una factura solo cubre órdenes de un mismo cliente."
                )
                % {"number": number, "row": seen[1]},
            )
        if row.rejected:
            return None
        self.invoice_customers.setdefault(number, (order.customer_id, row.number))
        return {
            "order_id": order.pk,
            "code": code,
            "number": number,
            "date": invoice_date,
        }

    def _find_order(self, row, code, written_code):
        order = (
            ServiceOrder.objects.select_related("customer").filter(code=code).first()
        )
        if order is None:
            row.error(
                "order",
                _("No existe la orden de servicio «%(code)s». Revise el código.")
                % {"code": written_code},
            )
        return order

    def _check_nit(self, row, order) -> None:
        """Reject the row when its optional NIT is not the order's customer's."""
        if not (row.has("nit") and row.text("nit")):
            return
        number = row.text("nit").split("-")[0]
        digits = "".join(char for char in number if char.isdigit())
        if digits and digits != order.customer.id_number:
            row.error(
                "nit",
                _(
                    "El NIT no coincide con el del cliente de la orden %(code)s "
                    "(%(customer)s). Revise la fila."
                )
                % {
                    "code": order.code,
                    "customer": order.customer.identification_display,
                },
            )

    def record_key(self, record):
        return record["code"]

    def key_display(self, record):
        return record["code"]

    def preview_row(self, record):
        return {
            str(_("Orden de servicio")): record["code"],
            str(_("Factura")): record["number"],
            str(_("Fecha de factura")): record["date"].strftime("%d/%m/%Y"),
        }

    def write_batch(self, batch):
        orders = ServiceOrder.objects.select_for_update().in_bulk(
            [pending.record["order_id"] for pending in batch]
        )
        results = []
        for pending in batch:
            record = pending.record
            order = orders[record["order_id"]]
            if (
                order.invoice_number == record["number"]
                and order.invoice_date == record["date"]
            ):
                results.append(
                    WriteResult(Outcome.UNCHANGED, existing=order.invoice_number)
                )
                continue
            outcome = Outcome.UPDATED if order.invoice_number else Outcome.CREATED
            existing = order.invoice_number
            order_invoice_set(
                order,
                number=record["number"],
                invoice_date=record["date"],
                user=self.user,
            )
            results.append(WriteResult(outcome, existing=existing))
        return results
