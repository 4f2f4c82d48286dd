import os
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from service_orders import services
from service_orders.models import Agreement
from service_orders.tests.conftest import PDF_BYTES
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db

PNG_BYTES = image_bytes("PNG")


def record(quotation, user, uploaded, **fields):
    values = {
        "kind": Agreement.Kind.PURCHASE_ORDER,
        "number": "OC-2026-118",
        "signed_on": timezone.localdate(),
    }
    values.update(fields)
    return services.agreement_record(
        quotation=quotation, user=user, uploaded=uploaded, **values
    )


def stored_files(media_root):
    if not media_root.exists():
        return []
    return [path for path in media_root.rglob("*") if path.is_file()]


def test_record_stores_checked_file(quotation, advisor, media_root):
    upload = SimpleUploadedFile("orden de compra.pdf", PDF_BYTES)
    agreement = record(quotation, advisor, upload)
    assert agreement.content_type == "application/pdf"
    assert agreement.customer == quotation.customer
    stored = agreement.file.name
    assert stored.startswith(f"clientes/{quotation.customer_id}/acuerdos/")
    assert stored.endswith(".pdf")
    assert "orden" not in stored


def test_record_links_orders_without_agreement(quotation, advisor):
    order = services.service_order_create(quotation=quotation, user=advisor)
    agreement = record(quotation, advisor, SimpleUploadedFile("oc.pdf", PDF_BYTES))
    order.refresh_from_db()
    assert order.agreement == agreement


def test_new_order_takes_latest_agreement(quotation, advisor):
    agreement = record(quotation, advisor, SimpleUploadedFile("oc.pdf", PDF_BYTES))
    order = services.service_order_create(quotation=quotation, user=advisor)
    assert order.agreement == agreement


def test_path_in_name_never_reaches_disk(quotation, advisor, media_root):
    upload = SimpleUploadedFile("../../../../etc/cron.d/evil.png", PNG_BYTES)
    agreement = record(quotation, advisor, upload)
    assert ".." not in agreement.file.name
    assert "evil" not in agreement.file.name
    assert agreement.file.name.endswith(".png")
    for path in stored_files(media_root):
        assert path.resolve().is_relative_to(media_root.resolve())
    assert not os.path.exists("/etc/cron.d/evil.png")


def test_wrong_content_rejected(quotation, advisor, media_root):
    upload = SimpleUploadedFile("contrato.pdf", b"<html><script>alert(1)</script>")
    with pytest.raises(ValidationError) as caught:
        record(quotation, advisor, upload)
    assert caught.value.code == "wrong_type"
    assert not Agreement.objects.exists()
    assert stored_files(media_root) == []


def test_oversize_rejected(quotation, advisor, settings, media_root):
    settings.UPLOAD_MAX_MB = 1
    upload = SimpleUploadedFile("contrato.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        record(quotation, advisor, upload)
    assert caught.value.code == "too_large"
    assert stored_files(media_root) == []


def test_empty_file_rejected(quotation, advisor):
    with pytest.raises(ValidationError):
        record(quotation, advisor, SimpleUploadedFile("contrato.pdf", b""))


def test_purchase_order_needs_number(quotation, advisor):
    with pytest.raises(ValidationError, match="número"):
        record(quotation, advisor, SimpleUploadedFile("oc.pdf", PDF_BYTES), number="")


def test_contract_without_number_accepted(quotation, advisor):
    agreement = record(
        quotation,
        advisor,
        SimpleUploadedFile("contrato.pdf", PDF_BYTES),
        kind=Agreement.Kind.CONTRACT,
        number="",
    )
    assert agreement.number == ""


def test_future_signature_rejected(quotation, advisor):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="futuro"):
        record(
            quotation,
            advisor,
            SimpleUploadedFile("oc.pdf", PDF_BYTES),
            signed_on=tomorrow,
        )


def test_failed_save_removes_file(quotation, advisor, media_root, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(Agreement, "save", broken)
    with pytest.raises(RuntimeError):
        record(quotation, advisor, SimpleUploadedFile("oc.pdf", PDF_BYTES))
    assert stored_files(media_root) == []


# Upload and download through the pages ---------------------------------------


def upload_url(quotation):
    return reverse("service_orders:agreement_create", args=[quotation.pk])


def post_upload(client, quotation, name, content):
    return client.post(
        upload_url(quotation),
        {
            "kind": Agreement.Kind.PURCHASE_ORDER,
            "number": "OC-77",
            "signed_on": timezone.localdate().isoformat(),
            "file": SimpleUploadedFile(name, content),
        },
    )


def test_upload_page_stores_file(client, advisor, quotation):
    client.force_login(advisor)
    response = post_upload(client, quotation, "oc.pdf", PDF_BYTES)
    assert response.status_code == 302
    assert Agreement.objects.count() == 1


def test_upload_page_shows_spanish_error(client, advisor, quotation):
    client.force_login(advisor)
    response = post_upload(client, quotation, "oc.pdf", b"MZ\x90\x00 not a pdf")
    assert response.status_code == 200
    assert "no es un archivo PDF" in response.content.decode()
    assert not Agreement.objects.exists()


def test_upload_other_portfolio_404(client, advisor, other_quotation):
    client.force_login(advisor)
    response = post_upload(client, other_quotation, "oc.pdf", PDF_BYTES)
    assert response.status_code == 404


def test_upload_refused_to_operations(client, operations_user, quotation):
    client.force_login(operations_user)
    response = post_upload(client, quotation, "oc.pdf", PDF_BYTES)
    assert response.status_code == 403


@pytest.fixture
def agreement(quotation, advisor):
    return record(quotation, advisor, SimpleUploadedFile("oc.pdf", PDF_BYTES))


def download_url(agreement):
    return reverse("service_orders:agreement_download", args=[agreement.pk])


def test_download_is_attachment(client, advisor, agreement):
    client.force_login(advisor)
    response = client.get(download_url(agreement))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_download_other_portfolio_404(client, other_advisor, agreement):
    client.force_login(other_advisor)
    assert client.get(download_url(agreement)).status_code == 404


def test_download_by_billing(client, billing_user, agreement):
    client.force_login(billing_user)
    assert client.get(download_url(agreement)).status_code == 200


def test_download_refused_without_role(client, no_role_user, agreement):
    client.force_login(no_role_user)
    assert client.get(download_url(agreement)).status_code == 403


def test_download_requires_login(client, agreement):
    response = client.get(download_url(agreement))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
