"""The outbox screens: list with status filter, detail, and the retry button."""

import socket

import pytest
from django.core import mail
from django.urls import reverse

from core.models import OutgoingEmail


def closed_port() -> int:
    """Return a loopback port that was free a moment ago, so connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def failed_email(db):
    return OutgoingEmail.objects.create(
        kind="Asignación de zona",
        to=["asesor@aseo.example.com"],
        subject="Asignación de zona Melgar: 4 clientes",
        body_text="Su cartera.",
        status=OutgoingEmail.Status.FAILED,
        attempts=2,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )


@pytest.fixture
def sent_email(db):
    return OutgoingEmail.objects.create(
        kind="Asignación de zona",
        to=["asesora@aseo.example.com"],
        subject="Asignación de zona Espinal: 2 clientes",
        body_text="Su cartera.",
        status=OutgoingEmail.Status.SENT,
        attempts=1,
    )


@pytest.mark.parametrize("persona", ["advisor", "billing_user", "no_role_user"])
@pytest.mark.parametrize(
    "name,method",
    [
        ("core:outbox", "get"),
        ("core:outbox_detail", "get"),
        ("core:outbox_retry", "post"),
    ],
)
def test_outbox_forbidden_without_manager_role(
    client, request, failed_email, persona, name, method
):
    client.force_login(request.getfixturevalue(persona))
    args = [] if name == "core:outbox" else [failed_email.pk]
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 403


def test_outbox_lists_all(client, director, failed_email, sent_email):
    client.force_login(director)
    response = client.get(reverse("core:outbox"))
    assert len(response.context["page"]) == 2


def test_outbox_filters_by_status(client, director, failed_email, sent_email):
    client.force_login(director)
    response = client.get(reverse("core:outbox"), {"estado": "fallido"})
    assert list(response.context["page"]) == [failed_email]


def test_outbox_ignores_unknown_status(client, coordinator, failed_email, sent_email):
    client.force_login(coordinator)
    response = client.get(reverse("core:outbox"), {"estado": "borrado"})
    assert len(response.context["page"]) == 2


def test_outbox_shows_attempts_and_error(client, director, failed_email):
    client.force_login(director)
    content = client.get(reverse("core:outbox")).content.decode()
    assert "Fallido" in content
    assert "Connection refused" in content


def test_outbox_detail_offers_retry_for_failed(client, director, failed_email):
    client.force_login(director)
    response = client.get(reverse("core:outbox_detail", args=[failed_email.pk]))
    assert "Reintentar" in response.content.decode()


def test_outbox_detail_hides_retry_for_sent(client, director, sent_email):
    client.force_login(director)
    response = client.get(reverse("core:outbox_detail", args=[sent_email.pk]))
    assert "Reintentar" not in response.content.decode()


def test_outbox_detail_missing_is_404(client, director):
    client.force_login(director)
    assert client.get(reverse("core:outbox_detail", args=[999])).status_code == 404


def test_retry_sends_failed_email(client, director, failed_email):
    client.force_login(director)
    client.post(reverse("core:outbox_retry", args=[failed_email.pk]))
    failed_email.refresh_from_db()
    assert failed_email.status == OutgoingEmail.Status.SENT
    assert failed_email.attempts == 3
    assert len(mail.outbox) == 1


def test_retry_ignores_max_attempts(client, director, failed_email, settings):
    settings.EMAIL_MAX_ATTEMPTS = 2
    client.force_login(director)
    client.post(reverse("core:outbox_retry", args=[failed_email.pk]))
    assert len(mail.outbox) == 1


def test_retry_refuses_sent_email(client, director, sent_email):
    client.force_login(director)
    response = client.post(
        reverse("core:outbox_retry", args=[sent_email.pk]), follow=True
    )
    assert "Solo se reintentan correos fallidos" in response.content.decode()
    assert mail.outbox == []


def test_retry_reports_new_failure(client, director, failed_email, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 5
    client.force_login(director)
    response = client.post(
        reverse("core:outbox_retry", args=[failed_email.pk]), follow=True
    )
    assert "El reintento falló" in response.content.decode()


def test_retry_rejects_get(client, director, failed_email):
    client.force_login(director)
    response = client.get(reverse("core:outbox_retry", args=[failed_email.pk]))
    assert response.status_code == 405


def test_outbox_shows_kind_labels(client, director):
    email = OutgoingEmail.objects.create(
        kind=OutgoingEmail.Kind.SCHEDULE_CONFIRMED,
        to=["cliente@example.com"],
        subject="Programación OS-2026-00001",
        body_text="Cuadrilla.",
        status=OutgoingEmail.Status.SENT,
    )
    client.force_login(director)
    listing = client.get(reverse("core:outbox")).content.decode()
    detail = client.get(reverse("core:outbox_detail", args=[email.pk])).content.decode()
    for page in (listing, detail):
        assert "Programación del servicio y cuadrilla" in page
        assert "programacion_confirmacion" not in page
