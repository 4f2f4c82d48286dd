"""The 403 and 404 pages speak Spanish and keep the menu, so a user who lands on
one can find their way back."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_forbidden_page_in_spanish(client, operations_user):
    client.force_login(operations_user)

    response = client.get(reverse("onboarding:list"))

    assert response.status_code == 403
    assert "Acceso no permitido" in response.content.decode()
    assert "Volver al inicio" in response.content.decode()


@pytest.mark.django_db
def test_not_found_page_in_spanish(client, advisor):
    client.force_login(advisor)

    response = client.get("/no-existe/")

    assert response.status_code == 404
    assert "Página no encontrada" in response.content.decode()


def test_empty_file_message_says_archivo():
    from django import forms
    from django.core.files.uploadedfile import SimpleUploadedFile

    field = forms.FileField()

    with pytest.raises(forms.ValidationError) as raised:
        field.clean(SimpleUploadedFile("vacio.pdf", b""))

    assert "archivo" in raised.value.messages[0]
    assert "fichero" not in raised.value.messages[0]
