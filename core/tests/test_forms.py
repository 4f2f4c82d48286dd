"""Form messages that name the field and write numbers the Colombian way, in
the shared fields and in the forms that use them."""

from decimal import Decimal

import pytest
from django import forms

from core.formatting import format_number
from core.forms import LocalDecimalField, date_error_messages
from field_work.forms import PrepaymentForm, ReadingForm
from quotations.tests.helpers import make_tariff
from service_orders.forms import OrderCreateForm
from terminations.forms import AssignAccountForm, MeetingForm, VerificationForm
from tests.factories import make_accepted_quotation, make_customer


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.01, "0,01"),
        (Decimal("0.001"), "0,001"),
        (1, "1"),
        (Decimal("1250000"), "1.250.000"),
        (Decimal("1250000.50"), "1.250.000,50"),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def field_errors(field, value) -> list[str]:
    form_class = type("OneFieldForm", (forms.Form,), {"value": field})
    form = form_class({"value": value})
    assert not form.is_valid()
    return form.errors["value"]


def quantity_field():
    return LocalDecimalField(
        label="Cantidad", min_value=0.001, max_digits=12, decimal_places=3
    )


def test_decimal_below_minimum():
    (message,) = field_errors(quantity_field(), "0")
    assert message == (
        "«Cantidad» debe ser mayor o igual a 0,001. Escriba un valor de 0,001 o más."
    )


def test_decimal_above_maximum():
    field = LocalDecimalField(label="Porcentaje", max_value=Decimal("100"))
    (message,) = field_errors(field, "100.5")
    assert message == (
        "«Porcentaje» debe ser menor o igual a 100. Escriba un valor de 100 o menos."
    )


def test_decimal_too_many_whole_digits():
    (message,) = field_errors(quantity_field(), "1234567890")
    assert message == (
        "«Cantidad» admite como máximo 9 dígitos antes de la coma decimal. "
        "Escriba un número menor."
    )


def test_decimal_too_many_decimals():
    (message,) = field_errors(quantity_field(), "1.23456")
    assert message == (
        "«Cantidad» admite como máximo 3 decimales después de la coma. "
        "Redondee el número."
    )


def test_decimal_not_a_number():
    (message,) = field_errors(quantity_field(), "dos")
    assert message == (
        "«Cantidad» debe ser un número. Escriba solo dígitos, p. ej. 2,5."
    )


def test_decimal_takes_decimal_comma():
    form_class = type("OneFieldForm", (forms.Form,), {"value": quantity_field()})
    form = form_class({"value": "2,5"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == Decimal("2.5")


def test_decimal_thousands_dots_invalid():
    (message,) = field_errors(quantity_field(), "1.250.000")
    assert message.startswith("«Cantidad» debe ser un número.")


def test_decimal_missing():
    (message,) = field_errors(quantity_field(), "")
    assert message == "Falta «Cantidad». Escriba un número."


def test_decimal_keeps_given_message():
    field = LocalDecimalField(
        label="Cantidad", error_messages={"required": "Escriba la cantidad."}
    )
    assert field_errors(field, "") == ["Escriba la cantidad."]


def test_date_messages():
    field = forms.DateField(
        label="Fecha", error_messages=date_error_messages("Fecha de la reunión")
    )
    assert field_errors(field, "31/02/2026") == [
        "«Fecha de la reunión» no es una fecha válida. Escríbala como dd/mm/aaaa, "
        "p. ej. 05/12/2026."
    ]
    assert field_errors(field, "") == [
        "Falta «Fecha de la reunión». Escriba la fecha como dd/mm/aaaa."
    ]


# --- The forms staff fill in -------------------------------------------------------


def test_payment_amount_minimum():
    form = PrepaymentForm({"reference": "TR-1", "paid_on": "2026-11-05", "amount": "0"})
    assert not form.is_valid()
    assert form.errors["amount"] == [
        "«Valor pagado» debe ser mayor o igual a 0,01. Escriba un valor de 0,01 o más."
    ]


def test_aforo_reading_minimum():
    form = ReadingForm(
        {"container": "Caneca", "count": "1", "reading": "0", "unit": "m3"},
        tariffs=[],
    )
    assert not form.is_valid()
    assert form.errors["reading"] == [
        "«Lectura por recipiente» debe ser mayor o igual a 0,001. Escriba un valor "
        "de 0,001 o más."
    ]


@pytest.mark.django_db
def test_order_quantity_messages(director, advisor):
    debris = make_tariff(director, code="SE-101", service="Retiro de escombros")
    quotation = make_accepted_quotation(
        customer=make_customer(advisor=advisor), advisor=advisor, lines=[(debris, "2")]
    )
    (line,) = quotation.lines.all()
    field = f"quantity_{line.pk}"
    for value, expected in [
        ("0", "debe ser mayor o igual a 0,001. Escriba un valor de 0,001 o más."),
        ("1234567890", "admite como máximo 9 dígitos antes de la coma decimal."),
    ]:
        form = OrderCreateForm(
            {"address": "Calle 10 # 5-32", f"line_{line.pk}": "on", field: value},
            quotation=quotation,
        )
        assert not form.is_valid()
        (message,) = form.errors[field]
        assert message.startswith(f"«Cantidad ({line.unit})» {expected}"), message


def test_meeting_date_invalid():
    form = MeetingForm({"held_on": "32/13/2026"})
    assert not form.is_valid()
    assert form.errors["held_on"] == [
        "«Fecha de la reunión» no es una fecha válida. Escríbala como dd/mm/aaaa, "
        "p. ej. 05/12/2026."
    ]


def test_verification_result_missing():
    form = VerificationForm({"evidence_kind": "llamada"})
    assert not form.is_valid()
    assert form.errors["result"] == [
        "Falta el resultado de la verificación. Elija uno."
    ]


def test_account_to_assign_missing():
    form = AssignAccountForm({})
    assert not form.is_valid()
    assert form.errors["account_code"] == [
        "Falta el código de cuenta. Escriba los dígitos de la cuenta del catastro "
        "que corresponde a esta solicitud."
    ]
