from datetime import date

import pytest
from django.core.cache import cache

from accounts.roles import Role
from certificates.services import signature_save
from certificates.tests.helpers import make_draft, make_invoiced_order, signature_upload
from quotations.tests.helpers import make_tariff
from tests.factories import make_customer, make_user


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://aseo.example.com"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache(db):
    # The verification rate limit counts in the database cache, whose table a
    # transactional test does not flush; each test starts at zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def administrator(db):
    return make_user(Role.ADMINISTRATOR, "administrador")


@pytest.fixture
def superuser(db):
    return make_user(None, "raiz", is_superuser=True, is_staff=True)


@pytest.fixture
def logistics_user(db):
    return make_user(Role.LOGISTICS, "logistica")


@pytest.fixture
def customer(advisor):
    return make_customer(
        name="Constructora Ñandú S.A.S.",
        advisor=advisor,
        email="gerencia@nandu.example.com",
        phone="6082451234",
        address="Carrera 8 # 12-40 Bodega 3",
    )


@pytest.fixture
def other_customer(other_advisor):
    return make_customer(name="Cerámicas Doña Inés", advisor=other_advisor)


@pytest.fixture
def debris(director):
    return make_tariff(
        director, code="SE-101", price="100000", service="Retiro de escombros"
    )


@pytest.fixture
def invoiced_order(customer, advisor, debris):
    return make_invoiced_order(
        customer=customer,
        advisor=advisor,
        item=debris,
        executed_on=date(2026, 10, 14),
        invoice="FE-1001",
    )


@pytest.fixture
def draft(customer, advisor, invoiced_order):
    return make_draft(customer=customer, user=advisor, orders=[invoiced_order])


@pytest.fixture
def director_signature(director):
    return signature_save(
        user=director, image=signature_upload(), title="Directora de ventas"
    )


@pytest.fixture
def signed(draft, director, director_signature):
    from certificates.services import certificate_sign

    return certificate_sign(certificate=draft, user=director)
