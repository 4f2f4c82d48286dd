from decimal import Decimal

import pytest

from quotations.money import line_amounts, round_amount
from quotations.tests.helpers import make_quotation


def test_round_amount_half_up_to_cent():
    assert round_amount(Decimal("10.005")) == Decimal("10.01")


def test_round_amount_below_half_goes_down():
    assert round_amount(Decimal("10.0049")) == Decimal("10.00")


def test_round_amount_to_whole_pesos(settings):
    settings.QUOTATION_ROUND_TO_PESOS = True
    assert round_amount(Decimal("1000.50")) == Decimal("1001.00")


def test_line_iva_rounded_half_up_to_cent():
    amounts = line_amounts(
        quantity=Decimal("1"), unit_price=Decimal("10.50"), tax_rate=Decimal("0.19")
    )
    # 10.50 * 0.19 = 1.995
    assert amounts.tax == Decimal("2.00")


def test_line_iva_rounded_to_whole_pesos(settings):
    settings.QUOTATION_ROUND_TO_PESOS = True
    amounts = line_amounts(
        quantity=Decimal("3"), unit_price=Decimal("12345"), tax_rate=Decimal("0.19")
    )
    # 37035 * 0.19 = 7036.65
    assert amounts.tax == Decimal("7037.00")


def test_line_total_is_net_plus_tax():
    amounts = line_amounts(
        quantity=Decimal("2.5"),
        unit_price=Decimal("33333.33"),
        tax_rate=Decimal("0.19"),
    )
    assert amounts.total == amounts.net + amounts.tax


@pytest.mark.django_db
def test_totals_are_sums_of_rounded_lines(advisor, customer, director):
    from quotations.tests.helpers import make_tariff

    item = make_tariff(director, price="10.50")
    quotation = make_quotation(
        customer=customer, advisor=advisor, lines=[(item, "1")] * 3
    )
    # Each line: net 10.50, IVA 1.995 → 2.00; rounding the sum instead would give 5.99.
    assert quotation.tax_total == Decimal("6.00")


@pytest.mark.django_db
def test_quotation_totals_match_lines(advisor, customer, debris, pruning):
    quotation = make_quotation(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "3.333"), (pruning, "2"), (debris, "0.5")],
    )
    lines = list(quotation.lines.all())
    assert quotation.net_total == sum(line.net_amount for line in lines)
    assert quotation.tax_total == sum(line.tax_amount for line in lines)
    assert quotation.total == quotation.net_total + quotation.tax_total


@pytest.mark.django_db
def test_excluded_service_has_no_iva(advisor, customer, pruning):
    quotation = make_quotation(
        customer=customer, advisor=advisor, lines=[(pruning, "2")]
    )
    assert quotation.tax_total == Decimal("0.00")
