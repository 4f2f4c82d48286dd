import pytest

from billing.tests.helpers import approve_customer
from quotations.tests.helpers import make_tariff
from tests.factories import make_customer


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def customer(advisor, billing_user):
    """An approved customer of `advisor`."""
    customer = make_customer(name="Panadería La Ñapa S.A.S.", advisor=advisor)
    approve_customer(customer, billing_user)
    return customer


@pytest.fixture
def unapproved_customer(advisor):
    return make_customer(name="Ferretería Sin Vincular", advisor=advisor)


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


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on loopback that records what it receives."""
    from aiosmtpd.controller import Controller

    from core.tests.test_mail_delivery import RecordingHandler, free_port

    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler
    controller.stop()
