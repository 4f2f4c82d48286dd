"""Rounding of quotation amounts.

Every line figure (net, IVA, total) is rounded half-up on its own, and totals are
sums of the rounded line figures, so a printed list of lines always adds up to the
printed totals. The rounding step is the cent, or the whole peso when
settings.QUOTATION_ROUND_TO_PESOS is true.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")
PESO = Decimal("1")


def rounding_step() -> Decimal:
    return PESO if settings.QUOTATION_ROUND_TO_PESOS else CENT


def round_amount(amount: Decimal) -> Decimal:
    """Round half-up to the configured step, keeping two decimal places."""
    return amount.quantize(rounding_step(), rounding=ROUND_HALF_UP).quantize(CENT)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    *, quantity: Decimal, unit_price: Decimal, tax_rate: Decimal
) -> LineAmounts:
    """Return a line's net, IVA and total, each rounded (IVA on the rounded net)."""
    net = round_amount(quantity * unit_price)
    tax = round_amount(net * tax_rate)
    return LineAmounts(net=net, tax=tax, total=net + tax)
