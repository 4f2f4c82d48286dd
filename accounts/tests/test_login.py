import pytest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.django_db
def test_login_page_is_public_and_spanish(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Contraseña" in response.content.decode()


def test_failed_logins_lock_the_account(client, advisor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        client.post(reverse("login"), {"username": "asesor1", "password": "mala"})
    response = client.post(
        reverse("login"), {"username": "asesor1", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert "bloqueado" in response.content.decode()


def test_correct_login_reaches_home(client, advisor):
    response = client.post(
        reverse("login"),
        {"username": "asesor1", "password": DEFAULT_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert response.wsgi_request.user == advisor
