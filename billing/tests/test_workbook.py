from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from billing.consolidation import month_orders, workbook_export
from billing.periods import Month, month_current
from billing.tests.helpers import add_prepayment, add_proof, make_executed_order
from service_orders.models import ServiceOrder
from tests.factories import make_customer

NOVEMBER = Month.of(date(2026, 11, 1))


@pytest.fixture
def november_order(customer, advisor, debris, pruning, operations_user):
    """Executed on the evening of 30/11 in Bogotá (already 01/12 in UTC), with 2.5
    m³ of debris executed of the 3 ordered, and two proofs."""
    order = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "3"), (pruning, "2")],
        executed_on=date(2026, 11, 30),
    )
    line = order.lines.get(code="SE-101")
    line.executed_quantity = Decimal("2.5")
    line.save()
    add_proof(order, operations_user)
    add_proof(order, operations_user)
    return order


def read_sheet(path):
    return load_workbook(path, read_only=True).active


def sheet_rows(path):
    return list(read_sheet(path).iter_rows(values_only=True))


def export(tmp_path, month=NOVEMBER):
    path = tmp_path / "consolidado.xlsx"
    summary = workbook_export(month_orders(month), str(path), month=month)
    return path, summary


def test_workbook_title_names_company_and_month(tmp_path, november_order, settings):
    path, _summary = export(tmp_path)
    rows = sheet_rows(path)
    assert settings.COMPANY_NAME in rows[0][0]
    assert "noviembre de 2026" in rows[0][0]


def test_workbook_headers_are_spanish(tmp_path, november_order):
    path, _summary = export(tmp_path)
    headers = sheet_rows(path)[3]
    assert headers[:4] == (
        "Fecha de ejecución",
        "Cliente",
        "NIT o identificación",
        "Dirección del servicio",
    )
    assert "Cantidad ejecutada" in headers
    assert "Valor unitario" in headers
    assert headers[10:13] == ("Subtotal", "IVA", "Total")
    assert headers[13:16] == ("Orden de servicio", "Cotización", "Soportes")
    assert headers[16:] == ("Factura", "Fecha de factura")


def test_workbook_row_per_order_line(tmp_path, november_order, customer):
    path, summary = export(tmp_path)
    rows = sheet_rows(path)
    debris_row, pruning_row = rows[4], rows[5]
    assert summary.rows == 2
    assert summary.orders == 1
    assert debris_row[1] == "Panadería La Ñapa S.A.S."
    assert debris_row[2] == customer.identification_display
    assert debris_row[5] == "SE-101"
    assert debris_row[7] == 2.5
    assert debris_row[8] == "m³"
    assert debris_row[9] == 100000
    assert debris_row[10] == 250000
    assert debris_row[11] == 47500
    assert debris_row[12] == 297500
    assert debris_row[13] == november_order.code
    assert debris_row[14] == november_order.quotation.code
    assert debris_row[15] == 2
    assert pruning_row[13] == november_order.code
    assert pruning_row[11] == 0
    assert pruning_row[8] == "Árbol"


def test_workbook_dates_are_real_dates(tmp_path, november_order):
    path, _summary = export(tmp_path)
    sheet = load_workbook(path).active
    cell = sheet.cell(row=5, column=1)
    assert cell.value == datetime(2026, 11, 30)
    assert cell.number_format == "dd/mm/yyyy"


def test_workbook_amounts_have_pesos_format(tmp_path, november_order):
    path, _summary = export(tmp_path)
    sheet = load_workbook(path).active
    assert sheet.cell(row=5, column=13).number_format == '"$" #,##0'


def test_workbook_quantity_formats(tmp_path, november_order):
    path, _summary = export(tmp_path)
    sheet = load_workbook(path).active
    fractional, whole = sheet.cell(row=5, column=8), sheet.cell(row=6, column=8)
    assert fractional.value == 2.5
    assert fractional.number_format == "#,##0.###"
    assert whole.value == 2
    assert whole.number_format == "#,##0"


def test_workbook_totals_row(tmp_path, november_order):
    path, summary = export(tmp_path)
    totals = sheet_rows(path)[6]
    assert totals[0] == "Totales: 1 orden, 2 servicios"
    assert totals[10] == 420000
    assert totals[11] == 47500
    assert totals[12] == 467500
    assert summary.total == Decimal("467500.00")


def test_workbook_formula_text_stays_text(tmp_path, advisor, billing_user, debris):
    from billing.tests.helpers import approve_customer

    tricky = make_customer(
        name='=HYPERLINK("http://x.example","clic")', advisor=advisor
    )
    approve_customer(tricky, billing_user)
    make_executed_order(
        customer=tricky,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 2),
        address="@SUM(A1:A9)",
    )
    path, _summary = export(tmp_path)
    sheet = load_workbook(path).active
    name_cell = sheet.cell(row=5, column=2)
    address_cell = sheet.cell(row=5, column=4)
    assert name_cell.data_type == "s"
    assert name_cell.value == '=HYPERLINK("http://x.example","clic")'
    assert address_cell.data_type == "s"
    assert address_cell.value == "@SUM(A1:A9)"


def test_month_takes_bogota_dates(tmp_path, november_order, customer, advisor, debris):
    make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 12, 1),
    )
    make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 10, 31),
    )
    codes = set(month_orders(NOVEMBER).values_list("code", flat=True))
    assert codes == {november_order.code}


def test_current_month_is_bogota_month():
    # 03:00 UTC on 01/12 is still 22:00 on 30/11 in Bogotá.
    with time_machine.travel(
        datetime(2026, 12, 1, 3, 0, tzinfo=ZoneInfo("UTC")), tick=False
    ):
        assert month_current() == NOVEMBER


def test_workbook_leaves_out_orders_not_executed(
    tmp_path, november_order, customer, advisor, debris
):
    from tests.factories import make_accepted_quotation, make_service_order

    quotation = make_accepted_quotation(
        customer=customer, advisor=advisor, lines=[(debris, "1")]
    )
    make_service_order(
        quotation=quotation, status="programada", scheduled_date=date(2026, 11, 15)
    )
    _path, summary = export(tmp_path)
    assert summary.orders == 1


def test_workbook_shows_invoice_of_order(tmp_path, november_order):
    ServiceOrder.objects.filter(pk=november_order.pk).update(
        invoice_number="FE-1001", invoice_date=date(2026, 12, 5)
    )
    path, _summary = export(tmp_path)
    rows = sheet_rows(path)
    assert {row[16] for row in rows[4:6]} == {"FE-1001"}
    assert {row[17] for row in rows[4:6]} == {datetime(2026, 12, 5)}


def test_workbook_leaves_invoice_blank_before_invoicing(tmp_path, november_order):
    path, _summary = export(tmp_path)
    rows = sheet_rows(path)
    assert {row[16] for row in rows[4:6]} == {None}


def test_workbook_subtitle_in_spanish(tmp_path, november_order):
    path, _summary = export(tmp_path)
    subtitle = sheet_rows(path)[1][0]
    assert "hora de Colombia" in subtitle


def prepayment_sheet_rows(path):
    workbook = load_workbook(path, read_only=True)
    return list(workbook["Anticipos"].iter_rows(values_only=True))


def test_workbook_has_prepayment_sheet(tmp_path, november_order):
    path, _summary = export(tmp_path)
    assert load_workbook(path, read_only=True).sheetnames == ["Servicios", "Anticipos"]


def test_prepayment_sheet_lists_payments_in_force(
    tmp_path, november_order, customer, billing_user
):
    add_prepayment(
        november_order,
        billing_user,
        amount="200000",
        reference="TRX-1",
        paid_on=date(2026, 11, 20),
    )
    add_prepayment(
        november_order,
        billing_user,
        amount="97500.50",
        reference="=HYPERLINK(1)",
        paid_on=date(2026, 11, 21),
    )
    add_prepayment(
        november_order,
        billing_user,
        amount="999999",
        reference="TRX-ANULADA",
        paid_on=date(2026, 11, 22),
        annulled=True,
    )
    path, summary = export(tmp_path)
    rows = prepayment_sheet_rows(path)
    assert rows[3] == (
        "Orden de servicio",
        "Cliente",
        "NIT o identificación",
        "Referencia del pago",
        "Fecha del pago",
        "Valor pagado",
    )
    first, second, totals = rows[4], rows[5], rows[6]
    assert first[:4] == (
        november_order.code,
        "Panadería La Ñapa S.A.S.",
        customer.identification_display,
        "TRX-1",
    )
    assert first[4] == datetime(2026, 11, 20)
    assert first[5] == 200000
    assert second[3] == "=HYPERLINK(1)"
    assert second[5] == 97500.5
    assert totals[0] == "Totales: 1 orden, 2 pagos"
    assert totals[5] == 297500.5
    assert len(rows) == 7
    assert summary.prepaid_orders == 1
    assert summary.prepaid_total == Decimal("297500.50")


def test_prepayment_sheet_without_payments(tmp_path, november_order):
    path, summary = export(tmp_path)
    rows = prepayment_sheet_rows(path)
    assert rows[4][0] == "Ningún servicio de este consolidado tiene pago anticipado."
    assert summary.prepaid_orders == 0
    assert summary.prepaid_total == 0


def test_prepayment_sheet_leaves_other_months_out(
    tmp_path, november_order, customer, advisor, debris, billing_user
):
    october = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 10, 15),
    )
    add_prepayment(
        october, billing_user, amount="1000", reference="OCT", paid_on=date(2026, 10, 1)
    )
    path, summary = export(tmp_path)
    codes = [row[0] for row in prepayment_sheet_rows(path)[4:]]
    assert october.code not in codes
    assert summary.prepaid_orders == 0
