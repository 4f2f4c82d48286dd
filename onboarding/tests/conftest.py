import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from onboarding.models import DocumentKind
from onboarding.services import document_upload, onboarding_open
from tests.factories import make_accepted_quotation, make_customer, pdf_bytes

PDF_BYTES = pdf_bytes()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_file(name="documento.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def image_file(name="foto.png", image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def customer(advisor):
    """A legal entity (NIT) of the advisor's portfolio."""
    return make_customer(name="Hotel Los Guaduales S.A.S.", advisor=advisor)


@pytest.fixture
def onboarding(customer, advisor):
    quotation = make_accepted_quotation(customer=customer, advisor=advisor)
    return onboarding_open(quotation=quotation, user=advisor)


def upload(onboarding, kind, user, **fields):
    """Upload a valid PDF of `kind`, with the customer's NIT for a RUT and a
    recent issue date for the Cámara de Comercio certificate."""
    if kind == DocumentKind.RUT:
        fields.setdefault(
            "document_id_number", onboarding.customer.identification_display
        )
    if kind == DocumentKind.CHAMBER_OF_COMMERCE:
        fields.setdefault("issued_on", timezone.localdate() - timedelta(days=3))
    return document_upload(
        onboarding=onboarding,
        kind=kind,
        uploaded=fields.pop("uploaded", None) or pdf_file(),
        user=user,
        **fields,
    )


def complete(onboarding, user):
    """Upload every document a legal entity needs."""
    for kind in (
        DocumentKind.RUT,
        DocumentKind.CHAMBER_OF_COMMERCE,
        DocumentKind.REPRESENTATIVE_ID,
    ):
        upload(onboarding, kind, user)
