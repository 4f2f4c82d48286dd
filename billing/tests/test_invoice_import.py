from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.importer import InvoiceImporter
from billing.periods import Month
from billing.tests.helpers import add_signed_order, make_executed_order
from core.imports import run_import
from customers.identification import format_identification
from service_orders.models import ServiceOrder

DATA = Path(__file__).parent / "data"
NOVEMBER = Month.of(date(2026, 11, 1))


@pytest.fixture
def handed_over(customer, advisor, debris, coordinator):
    """Three orders of `customer`, coded OS-2026-00001..3, handed over."""
    orders = [
        make_executed_order(
            customer=customer, advisor=advisor, lines=[(debris, "1")], executed_on=day
        )
        for day in (date(2026, 11, 5), date(2026, 11, 12), date(2026, 11, 20))
    ]
    for order in orders:
        add_signed_order(order, coordinator)
    services.handoff_send(month=NOVEMBER, user=coordinator)
    return orders


def write_csv(tmp_path, text: str, encoding="utf-8") -> Path:
    path = tmp_path / "facturas.csv"
    path.write_bytes(text.encode(encoding))
    return path


def invoices():
    return dict(ServiceOrder.objects.values_list("code", "invoice_number"))


def test_sample_file_imports_every_row(handed_over, billing_user):
    path = DATA / "facturas_contables.csv"
    report = run_import(InvoiceImporter(user=billing_user), path)
    assert report.errors == []
    assert report.rows == 3
    assert report.created == 3
    assert report.committed
    assert invoices() == {
        "OS-2026-00001": "FE-10231",
        "OS-2026-00002": "FE-10231",
        "OS-2026-00003": "FE-10245",
    }
    order = ServiceOrder.objects.get(code="OS-2026-00003")
    assert order.invoice_date == date(2026, 12, 3)
    assert order.invoice_recorded_by == billing_user


def test_reimport_is_unchanged(handed_over, billing_user):
    path = DATA / "facturas_contables.csv"
    run_import(InvoiceImporter(user=billing_user), path)
    report = run_import(InvoiceImporter(user=billing_user), path)
    assert report.unchanged == 3
    assert report.created == 0


def test_bad_row_rolls_back_everything(handed_over, billing_user, tmp_path):
    path = write_csv(
        tmp_path,
        "Orden de servicio;Número de factura;Fecha de factura\n"
        "OS-2026-00001;FE-1;02/12/2026\n"
        "OS-2026-00099;FE-2;02/12/2026\n"
        "OS-2026-00002;FE-3;31/02/2026\n"
        "OS-2026-00003;FE-4;01/11/2026\n",
    )
    report = run_import(InvoiceImporter(user=billing_user), path)
    messages = [issue.message for issue in report.errors]
    assert not report.committed
    assert report.rejected == 3
    assert report.created == 0
    assert set(invoices().values()) == {""}
    assert (
        "Fila 3, columna «Orden de servicio»: No existe la orden de servicio «OS-2026-00099»"
        in messages[0]
    )
    assert messages[1].startswith("Fila 4, columna «Fecha de factura»")
    assert messages[2].startswith("Fila 5, columna «Fecha de factura»")
    assert "anterior a la ejecución" in messages[2]


def test_missing_column_rejects_file(handed_over, billing_user, tmp_path):
    path = write_csv(tmp_path, "Orden;Factura\nOS-2026-00001;FE-1\n")
    report = run_import(InvoiceImporter(user=billing_user), path)
    assert report.errors[0].row == 0
    assert "FECHA DE FACTURA" in report.errors[0].message


def test_nit_must_match_customer(handed_over, billing_user, tmp_path):
    path = write_csv(
        tmp_path,
        "Orden;Factura;Fecha factura;NIT\nOS-2026-00001;FE-1;02/12/2026;800123456-1\n",
    )
    report = run_import(InvoiceImporter(user=billing_user), path)
    assert report.rejected == 1
    assert "NIT no coincide" in report.errors[0].message
    customer = handed_over[0].customer
    shown = format_identification("NIT", customer.id_number, customer.check_digit)
    assert f"({shown}). Revise la fila." in report.errors[0].message
    assert "." in shown


def test_unknown_order_echoed_as_written(handed_over, billing_user, tmp_path):
    path = write_csv(
        tmp_path, "Orden;Factura;Fecha factura\nos-2026-00099;FE-1;02/12/2026\n"
    )
    report = run_import(InvoiceImporter(user=billing_user), path)
    assert report.rejected == 1
    assert "«os-2026-00099»" in report.errors[0].message


def test_invalid_number_echoed_as_written(handed_over, billing_user, tmp_path):
    path = write_csv(
        tmp_path, "Orden;Factura;Fecha factura\nos-2026-00001;fe_10;02/12/2026\n"
    )
    report = run_import(InvoiceImporter(user=billing_user), path)
    assert report.rejected == 1
    assert "«fe_10» no es válido" in report.errors[0].message


def test_one_number_for_two_customers_in_file(
    handed_over, billing_user, advisor, debris, coordinator, tmp_path
):
    from billing.tests.helpers import approve_customer
    from tests.factories import make_customer

    other = make_customer(advisor=advisor)
    approve_customer(other, billing_user)
    foreign = make_executed_order(
        customer=other,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 6),
    )
    add_signed_order(foreign, coordinator)
    services.handoff_send(month=NOVEMBER, user=coordinator)
    path = write_csv(
        tmp_path,
        "Orden;Factura;Fecha factura\n"
        f"OS-2026-00001;FE-7;02/12/2026\n{foreign.code};FE-7;02/12/2026\n",
    )
    report = run_import(InvoiceImporter(user=billing_user), path)
    assert report.rejected == 1
    assert "ya aparece en la fila 2 para otro cliente" in report.errors[0].message


def test_order_not_handed_over_rejected(
    customer, advisor, debris, billing_user, tmp_path
):
    order = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 5),
    )
    path = write_csv(
        tmp_path, f"Orden;Factura;Fecha factura\n{order.code};FE-1;02/12/2026\n"
    )
    report = run_import(InvoiceImporter(user=billing_user), path)
    assert report.rejected == 1
    assert "no se ha entregado a facturación" in report.errors[0].message


def test_same_order_twice_in_file_rejected(handed_over, billing_user, tmp_path):
    path = write_csv(
        tmp_path,
        "Orden de servicio;Número de factura;Fecha de factura\n"
        "OS-2026-00001;FE-1;02/12/2026\n"
        "OS-2026-00002;FE-2;02/12/2026\n"
        "OS-2026-00001;FE-3;02/12/2026\n",
    )
    report = run_import(InvoiceImporter(user=billing_user), path)
    assert not report.committed
    assert report.rejected == 1
    message = report.errors[0].message
    assert "OS-2026-00001 está repetida" in message
    assert "filas 2 y 4" in message
    assert set(invoices().values()) == {""}


@pytest.mark.parametrize(
    "number", ['=HYPERLINK("http://x.example","FE-1")', "FE_1", "+FE1", "F" * 41]
)
def test_invoice_number_pattern(handed_over, billing_user, tmp_path, number):
    path = write_csv(
        tmp_path,
        "Orden de servicio;Número de factura;Fecha de factura\n"
        f"OS-2026-00001;{number};02/12/2026\n",
    )
    report = run_import(InvoiceImporter(user=billing_user), path)
    assert report.rejected == 1
    assert "número de factura" in report.errors[0].message.lower()
    with pytest.raises(ValidationError):
        services.invoice_record(
            order=handed_over[0],
            number=number,
            invoice_date=date(2026, 12, 2),
            user=billing_user,
        )
    assert set(invoices().values()) == {""}


def test_plain_invoice_numbers_accepted(handed_over, billing_user):
    services.invoice_record(
        order=handed_over[0],
        number="fe 2026/10.231-a",
        invoice_date=date(2026, 12, 2),
        user=billing_user,
    )
    handed_over[0].refresh_from_db()
    assert handed_over[0].invoice_number == "FE 2026/10.231-A"
