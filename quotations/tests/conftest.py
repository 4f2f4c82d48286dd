import pytest

from quotations.tests.helpers import make_tariff
from tests.factories import make_customer


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def customer(advisor):
    return make_customer(
        name="Panadería La Ñapa S.A.S.",
        advisor=advisor,
        email="compras@lanapa.example.com",
        mobile="+573105551234",
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
def pruning(director):
    """Tree pruning, excluded from IVA."""
    return make_tariff(
        director,
        code="SE-201",
        price="85000",
        tax="excluido",
        service="Poda de árbol mediano",
        unit="arbol",
    )
