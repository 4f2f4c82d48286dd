from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from quotations import services
from quotations.tests.helpers import make_quotation, make_tariff

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_price(director):
    return make_tariff(
        director, code="SE-300", price="50000", valid_from=date(2026, 1, 1)
    )


@pytest.fixture
def new_price(director):
    return make_tariff(
        director, code="SE-300", price="60000", valid_from=date(2026, 7, 1)
    )


def test_quotation_dated_before_new_version_uses_old_price(
    advisor, customer, old_price, new_price
):
    quotation = make_quotation(
        customer=customer,
        advisor=advisor,
        lines=[(old_price, "1")],
        on=date(2026, 6, 30),
    )
    assert quotation.lines.get().unit_price == Decimal("50000")


def test_new_version_item_not_in_force_before_its_date(
    advisor, customer, old_price, new_price
):
    quotation = make_quotation(customer=customer, advisor=advisor, on=date(2026, 6, 30))
    with pytest.raises(ValidationError, match="no está vigente"):
        services.quotation_line_add(
            quotation=quotation, tariff_item=new_price, quantity=Decimal("1")
        )


def test_superseded_item_cannot_be_added_after_new_version(
    advisor, customer, old_price, new_price
):
    quotation = make_quotation(customer=customer, advisor=advisor, on=date(2026, 7, 2))
    with pytest.raises(ValidationError, match="no está vigente"):
        services.quotation_line_add(
            quotation=quotation, tariff_item=old_price, quantity=Decimal("1")
        )


def test_issued_quotation_keeps_price_after_new_version(advisor, director, customer):
    with time_machine.travel("2026-03-10 09:00 -05:00", tick=False):
        item = make_tariff(
            director, code="SE-400", price="70000", valid_from=date(2026, 1, 1)
        )
        draft = make_quotation(customer=customer, advisor=advisor, lines=[(item, "2")])
        issued = services.quotation_issue(quotation=draft, user=advisor)
    make_tariff(director, code="SE-400", price="90000", valid_from=date(2026, 4, 1))
    issued.refresh_from_db()
    line = issued.lines.get()
    assert line.unit_price == Decimal("70000")
    assert issued.net_total == Decimal("140000.00")
