"""The monthly workbook of executed special services ("consolidado mensual"),
written with XlsxWriter in constant memory.

The first sheet, «Servicios», has one row per order line. The second, «Anticipos»,
has one row per prepayment in force of those orders, so billing deducts what the
customer already paid instead of invoicing it twice. The builder takes prepared
rows (tuples in the order of each sheet's columns) and writes them as they come,
so memory does not grow with the month. Every text cell is written with
`write_string`, so a customer name or address starting with =, +, - or @ stays text
and never becomes a formula. Dates are real dates shown dd/mm/aaaa and amounts are
numbers with a pesos format.
"""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import BinaryIO

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Excel stores a date as the number of days since 30/12/1899.
EXCEL_EPOCH = date(1899, 12, 30).toordinal()

# Whole pesos, as the product shows money everywhere; the cells keep the cents.
MONEY_FORMAT = '"$" #,##0'
# A whole quantity gets a format without decimals, because "#,##0.###" shows 12
# as «12,» (a trailing decimal separator) in Excel and LibreOffice.
WHOLE_QUANTITY_FORMAT = "#,##0"
QUANTITY_FORMAT = "#,##0.###"
DATE_FORMAT = "dd/mm/yyyy"


@dataclass(frozen=True)
class Column:
    header: str
    width: int


def columns() -> list[Column]:
    """Return the sheet's columns, in the order of the row tuples."""
    return [
        Column(_("Fecha de ejecución"), 12),
        Column(_("Cliente"), 36),
        Column(_("NIT o identificación"), 16),
        Column(_("Dirección del servicio"), 32),
        Column(_("Municipio"), 16),
        Column(_("Código del servicio"), 10),
        Column(_("Servicio"), 36),
        Column(_("Cantidad ejecutada"), 11),
        Column(_("Unidad"), 9),
        Column(_("Valor unitario"), 15),
        Column(_("Subtotal"), 16),
        Column(_("IVA"), 14),
        Column(_("Total"), 16),
        Column(_("Orden de servicio"), 15),
        Column(_("Cotización"), 15),
        Column(_("Soportes"), 9),
        Column(_("Factura"), 14),
        Column(_("Fecha de factura"), 12),
    ]


# Positions of the row tuple.
(
    EXECUTED_ON,
    CUSTOMER,
    IDENTIFICATION,
    ADDRESS,
    MUNICIPALITY,
    SERVICE_CODE,
    SERVICE,
    QUANTITY,
    UNIT,
    UNIT_PRICE,
    NET,
    TAX,
    TOTAL,
    ORDER_CODE,
    QUOTATION_CODE,
    PROOF_COUNT,
    INVOICE_NUMBER,
    INVOICE_DATE,
) = range(18)

TEXT_POSITIONS = (
    CUSTOMER,
    IDENTIFICATION,
    ADDRESS,
    MUNICIPALITY,
    SERVICE_CODE,
    SERVICE,
    UNIT,
    ORDER_CODE,
    QUOTATION_CODE,
    INVOICE_NUMBER,
)
DATE_POSITIONS = (EXECUTED_ON, INVOICE_DATE)
MONEY_POSITIONS = (UNIT_PRICE, NET, TAX, TOTAL)

# Rows above the header: title, subtitle and a blank row.
HEADER_ROW = 3


def prepayment_columns() -> list[Column]:
    """Return the «Anticipos» sheet's columns, in the order of its row tuples."""
    return [
        Column(_("Orden de servicio"), 15),
        Column(_("Cliente"), 36),
        Column(_("NIT o identificación"), 16),
        Column(_("Referencia del pago"), 22),
        Column(_("Fecha del pago"), 12),
        Column(_("Valor pagado"), 16),
    ]


# Positions of the «Anticipos» row tuple.
(
    PREPAID_ORDER_CODE,
    PREPAID_CUSTOMER,
    PREPAID_IDENTIFICATION,
    PREPAID_REFERENCE,
    PREPAID_ON,
    PREPAID_AMOUNT,
) = range(6)
PREPAID_TEXT_POSITIONS = (
    PREPAID_ORDER_CODE,
    PREPAID_CUSTOMER,
    PREPAID_IDENTIFICATION,
    PREPAID_REFERENCE,
)


@dataclass(frozen=True)
class WorkbookSummary:
    """Summary of a written workbook: data rows, distinct orders and the totals,
    and the orders with a prepayment and the sum of their payments."""

    rows: int
    orders: int
    net: Decimal
    tax: Decimal
    total: Decimal
    prepaid_orders: int = 0
    prepaid_total: Decimal = Decimal(0)


@dataclass(frozen=True)
class PrepaymentSummary:
    """Summary of the «Anticipos» sheet: payments, distinct orders and their sum."""

    payments: int
    orders: int
    total: Decimal


def monthly_workbook_write(
    target: str | BinaryIO,
    *,
    title: str,
    subtitle: str,
    rows: Iterable[tuple],
    prepayments: Iterable[tuple] = (),
) -> WorkbookSummary:
    """Write `rows` (tuples in the order of `columns()`, sorted by order) into the
    «Servicios» sheet and `prepayments` (tuples in the order of
    `prepayment_columns()`, sorted by order) into the «Anticipos» sheet of a
    workbook at `target`, each with a totals row, and return the summary."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 13}),
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#E9EEF0", "border": 1, "text_wrap": True}
        ),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "money": workbook.add_format({"num_format": MONEY_FORMAT}),
        "whole_quantity": workbook.add_format({"num_format": WHOLE_QUANTITY_FORMAT}),
        "quantity": workbook.add_format({"num_format": QUANTITY_FORMAT}),
        "total_label": workbook.add_format({"bold": True, "top": 1}),
        "total_money": workbook.add_format(
            {"bold": True, "top": 1, "num_format": MONEY_FORMAT}
        ),
    }
    sheet = workbook.add_worksheet(_("Servicios")[:31])
    sheet.write_string(0, 0, title, formats["title"])
    sheet.write_string(1, 0, subtitle)
    for position, column in enumerate(columns()):
        sheet.set_column(position, position, column.width)
        sheet.write_string(HEADER_ROW, position, column.header, formats["header"])
    sheet.freeze_panes(HEADER_ROW + 1, 0)

    summary = _write_rows(sheet, formats, rows)
    _write_totals(sheet, formats, HEADER_ROW + 1 + summary.rows, summary)
    # Constant-memory mode keeps one row per sheet in memory and needs each
    # sheet's rows in order, which both sheets follow.
    prepaid = _write_prepayment_sheet(workbook, formats, title, prepayments)
    workbook.close()
    return dataclasses.replace(
        summary, prepaid_orders=prepaid.orders, prepaid_total=prepaid.total
    )


def _write_rows(sheet, formats, rows: Iterable[tuple]) -> WorkbookSummary:
    # The cells are written with the typed methods directly instead of
    # sheet.write(), which guesses each value's type and costs more per cell.
    write_string = sheet.write_string
    write_number = sheet.write_number
    date_format, money_format = formats["date"], formats["money"]
    whole_quantity_format = formats["whole_quantity"]
    quantity_format = formats["quantity"]
    net_sum = tax_sum = total_sum = Decimal(0)
    orders = 0
    last_order = None
    row_index = HEADER_ROW

    for row in rows:
        row_index += 1
        for position in TEXT_POSITIONS:
            text = row[position]
            if text:
                write_string(row_index, position, text)
        for position in DATE_POSITIONS:
            day = row[position]
            if day is not None:
                write_number(
                    row_index, position, day.toordinal() - EXCEL_EPOCH, date_format
                )
        quantity = row[QUANTITY]
        if quantity == quantity.to_integral_value():
            write_number(row_index, QUANTITY, float(quantity), whole_quantity_format)
        else:
            write_number(row_index, QUANTITY, float(quantity), quantity_format)
        for position in MONEY_POSITIONS:
            write_number(row_index, position, float(row[position]), money_format)
        write_number(row_index, PROOF_COUNT, row[PROOF_COUNT])

        net_sum += row[NET]
        tax_sum += row[TAX]
        total_sum += row[TOTAL]
        if row[ORDER_CODE] != last_order:
            orders += 1
            last_order = row[ORDER_CODE]

    return WorkbookSummary(
        rows=row_index - HEADER_ROW,
        orders=orders,
        net=net_sum,
        tax=tax_sum,
        total=total_sum,
    )


def _orders_text(count: int) -> str:
    return ngettext("%(count)s orden", "%(count)s órdenes", count) % {"count": count}


def _write_totals(sheet, formats, row_index: int, summary: WorkbookSummary) -> None:
    # Plain numbers rather than =SUM() formulas: the totals are exact Decimal sums,
    # and readers that do not compute formulas still see them.
    label = _("Totales: %(orders)s, %(rows)s") % {
        "orders": _orders_text(summary.orders),
        "rows": ngettext("%(count)s servicio", "%(count)s servicios", summary.rows)
        % {"count": summary.rows},
    }
    sheet.write_string(row_index, 0, label, formats["total_label"])
    for position, amount in (
        (NET, summary.net),
        (TAX, summary.tax),
        (TOTAL, summary.total),
    ):
        sheet.write_number(row_index, position, float(amount), formats["total_money"])


def _write_prepayment_sheet(
    workbook, formats, title: str, prepayments: Iterable[tuple]
) -> PrepaymentSummary:
    sheet = workbook.add_worksheet(_("Anticipos")[:31])
    sheet.write_string(0, 0, title, formats["title"])
    sheet.write_string(
        1,
        0,
        _(
            "Pagos anticipados vigentes de los servicios de la hoja «Servicios»: "
            "descuéntelos al facturar esas órdenes."
        ),
    )
    for position, column in enumerate(prepayment_columns()):
        sheet.set_column(position, position, column.width)
        sheet.write_string(HEADER_ROW, position, column.header, formats["header"])
    sheet.freeze_panes(HEADER_ROW + 1, 0)

    row_index = HEADER_ROW
    total = Decimal(0)
    orders = 0
    last_order = None
    for row in prepayments:
        row_index += 1
        for position in PREPAID_TEXT_POSITIONS:
            if row[position]:
                sheet.write_string(row_index, position, row[position])
        sheet.write_number(
            row_index,
            PREPAID_ON,
            row[PREPAID_ON].toordinal() - EXCEL_EPOCH,
            formats["date"],
        )
        sheet.write_number(
            row_index, PREPAID_AMOUNT, float(row[PREPAID_AMOUNT]), formats["money"]
        )
        total += row[PREPAID_AMOUNT]
        if row[PREPAID_ORDER_CODE] != last_order:
            orders += 1
            last_order = row[PREPAID_ORDER_CODE]

    payments = row_index - HEADER_ROW
    row_index += 1
    if payments:
        label = _("Totales: %(orders)s, %(payments)s") % {
            "orders": _orders_text(orders),
            "payments": ngettext("%(count)s pago", "%(count)s pagos", payments)
            % {"count": payments},
        }
    else:
        label = _("Ningún servicio de este consolidado tiene pago anticipado.")
    sheet.write_string(row_index, 0, label, formats["total_label"])
    sheet.write_number(row_index, PREPAID_AMOUNT, float(total), formats["total_money"])
    return PrepaymentSummary(payments=payments, orders=orders, total=total)
