import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from core.models import OutgoingEmail
from quote_requests.models import QuoteRequest
from quote_requests.tests.helpers import public_form_data
from tests.factories import make_zone
from zones.models import Municipality

pytestmark = pytest.mark.django_db

URL = "/cotizar/"


def post(client, ip="203.0.113.7", **fields):
    return client.post(URL, public_form_data(**fields), REMOTE_ADDR=ip)


def test_public_form_path_is_cotizar():
    assert reverse("quote_requests:public_form") == URL


def test_form_opens_without_login(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert "Solicite una cotización" in response.text


def test_valid_request_is_stored(client):
    response = post(client)

    assert response.status_code == 302
    assert response.url == reverse("quote_requests:public_received")
    quote_request = QuoteRequest.objects.get()
    assert quote_request.channel == QuoteRequest.Channel.WEB
    assert quote_request.contact_phone == "+573105551234"
    assert quote_request.source_ip == "203.0.113.7"
    assert quote_request.status == QuoteRequest.Status.NEW


def test_consent_is_recorded(client):
    post(client)

    quote_request = QuoteRequest.objects.get()
    assert quote_request.data_consent is True
    assert quote_request.data_consent_at is not None
    assert "Ley 1581" in quote_request.data_consent_text


def test_request_routed_to_zone_advisor(client, advisor):
    make_zone("Melgar", advisors=[advisor]).municipalities.add(
        Municipality.objects.get(dane_code="73449")
    )

    post(client)

    assert QuoteRequest.objects.get().advisor == advisor


def test_confirmation_email_in_outbox(client):
    post(client)

    email = OutgoingEmail.objects.get(kind="solicitud_cotizacion_recibida")
    assert email.to == ["laura.perez@example.com"]
    assert "Recibimos su solicitud" in email.subject
    assert "SOL-" in email.body_text


def test_confirmation_email_sent_after_commit(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["laura.perez@example.com"]


def test_honeypot_discards_silently(client):
    response = post(client, website="http://spam.example.com")

    assert response.status_code == 302
    assert response.url == reverse("quote_requests:public_received")
    assert not QuoteRequest.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_missing_consent_rejected_in_spanish(client):
    data = public_form_data()
    del data["data_consent"]

    response = client.post(URL, data, REMOTE_ADDR="203.0.113.7")

    assert "necesitamos su autorización" in response.text
    assert not QuoteRequest.objects.exists()


def test_sixth_request_in_hour_refused(client):
    for _ in range(5):
        assert post(client).status_code == 302

    response = post(client)

    assert response.status_code == 429
    assert "Ya recibimos varias solicitudes" in response.text
    assert QuoteRequest.objects.count() == 5


def test_rate_limit_is_per_address(client):
    for _ in range(5):
        post(client)

    response = post(client, ip="198.51.100.20")

    assert response.status_code == 302


@override_settings(QUOTE_REQUEST_RATE_LIMIT=2)
def test_rate_limit_is_configurable(client):
    post(client)
    post(client)

    assert post(client).status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_client_address_behind_proxy(client):
    client.post(
        URL,
        public_form_data(),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
    )

    assert QuoteRequest.objects.get().source_ip == "203.0.113.9"


def test_oversize_description_refused(client):
    response = post(client, description="x" * 2001)

    assert "como máximo 2000 caracteres" in response.text
    assert not QuoteRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "length"),
    [
        ("requester_name", 201),
        ("contact_name", 151),
        ("contact_phone", 21),
        ("address", 201),
        ("barrio", 121),
        ("requester_id_number", 21),
    ],
)
def test_oversize_field_refused(client, field, length):
    post(client, **{field: "1" * length})

    assert not QuoteRequest.objects.exists()


def test_oversize_body_refused(client):
    response = post(client, notes="x" * 40_000)

    assert response.status_code == 413
    assert not QuoteRequest.objects.exists()


def test_invalid_phone_message_in_spanish(client):
    response = post(client, contact_phone="12345")

    assert "no es válido" in response.text
    assert not QuoteRequest.objects.exists()


def test_invalid_email_refused(client):
    response = post(client, contact_email="laura@@example.com")

    assert "correo electrónico válida" in response.text
    assert not QuoteRequest.objects.exists()


def test_chosen_tariff_service_is_stored(client, director):
    from tariffs.tests.helpers import item_data, make_version

    make_version(director, [item_data("SE-101", "82000")], approve_as=director)

    post(client, service_code="SE-101")

    quote_request = QuoteRequest.objects.get()
    assert quote_request.tariff_code == "SE-101"
    assert quote_request.service == "Servicio SE-101"
