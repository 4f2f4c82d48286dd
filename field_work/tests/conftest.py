import pytest
from django.utils import timezone

from accounts.roles import Role
from field_work.tests.helpers import make_order
from quotations.tests.helpers import make_tariff
from tests.factories import make_customer, make_user


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def logistics_user(db):
    return make_user(Role.LOGISTICS, "logistica")


@pytest.fixture
def customer(advisor):
    return make_customer(
        name="Constructora El Ñandú S.A.S.",
        advisor=advisor,
        customer_type="nuevo",
        in_catastro=False,
    )


@pytest.fixture
def other_customer(other_advisor):
    return make_customer(name="Cerámicas Doña Inés", advisor=other_advisor)


@pytest.fixture
def debris(director):
    """Debris removal, 100.000 pesos per m³ plus IVA 19 %."""
    return make_tariff(
        director, code="SE-101", price="100000", service="Retiro de escombros"
    )


@pytest.fixture
def weighed_waste(director):
    """Special waste charged per tonne, excluded from IVA."""
    return make_tariff(
        director,
        code="SE-301",
        price="250000",
        tax="excluido",
        service="Recolección de residuos especiales",
        unit="tonelada",
    )


@pytest.fixture
def new_order(customer, advisor, debris):
    """An order of a first-time customer waiting for its prepayment."""
    return make_order(customer, advisor, [(debris, "3")], prepayment_required=True)


@pytest.fixture
def scheduled_order(customer, advisor, debris):
    return make_order(
        customer,
        advisor,
        [(debris, "3")],
        status="programada",
        scheduled_date=timezone.localdate(),
    )


@pytest.fixture
def other_order(other_customer, other_advisor, debris):
    return make_order(
        other_customer,
        other_advisor,
        [(debris, "2")],
        status="programada",
        scheduled_date=timezone.localdate(),
    )
