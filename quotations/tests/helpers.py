"""Builders for quotation tests: approved tariffs and quotations with lines."""

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from quotations.models import Quotation
from quotations.services import quotation_create, quotation_line_add
from tariffs.models import TariffItem, TariffVersion, TaxTreatment, Unit

_sequence = itertools.count(1)


def make_tariff(
    user,
    *,
    code: str | None = None,
    price: str = "100000",
    tax: str = TaxTreatment.VAT_19,
    valid_from: date = date(2020, 1, 1),
    service: str = "Recolección de escombros en volqueta",
    unit: str = Unit.CUBIC_METRE,
) -> TariffItem:
    """Create an approved tariff version holding one item, and return the item."""
    version = TariffVersion.objects.create(
        name=f"Tarifas {next(_sequence)}",
        status=TariffVersion.Status.APPROVED,
        created_by=user,
        approved_by=user,
        approved_at=timezone.now(),
    )
    return TariffItem.objects.create(
        version=version,
        code=code or f"SE-{next(_sequence):03d}",
        service=service,
        unit=unit,
        unit_price=Decimal(price),
        tax_treatment=tax,
        valid_from=valid_from,
    )


def make_quotation(*, customer, advisor, lines=(), on: date | None = None) -> Quotation:
    """Create a draft with `lines`, each a (tariff item, quantity) pair."""
    quotation = quotation_create(
        customer=customer, advisor=advisor, user=advisor, on=on
    )
    for item, quantity in lines:
        quotation_line_add(
            quotation=quotation, tariff_item=item, quantity=Decimal(quantity)
        )
    quotation.refresh_from_db()
    return quotation
