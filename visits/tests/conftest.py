from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from customers.models import DataConsent
from tests.factories import make_customer

BOGOTA = ZoneInfo("America/Bogota")


def bogota(year, month, day, hour=10, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BOGOTA)


@pytest.fixture
def customer(advisor):
    customer = make_customer(
        advisor=advisor,
        name="Conjunto Residencial El Lago",
        address="Carrera 5 # 12-40, Melgar",
        mobile="+573105551234",
        email="administracion@ellago.example.com",
    )
    for channel in ("llamada", "correo", "visita"):
        DataConsent.objects.create(
            customer=customer,
            channel=channel,
            method=DataConsent.Method.FORM,
            granted_on=date(2026, 1, 2),
        )
    return customer


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep stored e-mail attachments out of var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
