from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from customers.models import DataConsent
from tests.factories import make_customer

BOGOTA = ZoneInfo("America/Bogota")


def bogota(year, month, day, hour=10, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BOGOTA)


def grant(customer, *channels, granted_on=date(2026, 1, 2), revoked_on=None):
    for channel in channels:
        DataConsent.objects.create(
            customer=customer,
            channel=channel,
            method=DataConsent.Method.FORM,
            granted_on=granted_on,
            revoked_on=revoked_on,
        )


@pytest.fixture
def customer(advisor):
    customer = make_customer(
        advisor=advisor,
        name="Constructora Las Palmas S.A.S.",
        mobile="+573105551234",
        email="compras@laspalmas.example.com",
    )
    grant(customer, "llamada", "whatsapp", "correo", "visita")
    return customer
