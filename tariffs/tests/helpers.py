"""Builders for tariff versions in tests."""

from datetime import date
from decimal import Decimal

from tariffs.models import TariffVersion, TaxTreatment, Unit
from tariffs.services import tariff_version_approve, tariff_version_create


def item_data(code="SE-101", price="82000", valid_from=date(2026, 1, 1), **fields):
    data = {
        "code": code,
        "service": fields.pop("service", f"Servicio {code}"),
        "category": fields.pop("category", "1. ESCOMBROS"),
        "unit": fields.pop("unit", Unit.CUBIC_METRE),
        "unit_price": Decimal(price),
        "tax_treatment": fields.pop("tax_treatment", TaxTreatment.EXCLUDED),
        "valid_from": valid_from,
    }
    data.update(fields)
    return data


def make_version(
    user, items, name="Tarifas de prueba", approve_as=None
) -> TariffVersion:
    version = tariff_version_create(name=name, items=items, created_by=user)
    if approve_as is not None:
        version = tariff_version_approve(version=version, user=approve_as)
    return version
