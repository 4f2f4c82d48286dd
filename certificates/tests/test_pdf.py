import hashlib
import io

import pytest
from pypdf import PdfReader

from certificates.pdf import QR_BORDER, public_url, qr_code, short_url
from certificates.services import certificate_pdf_bytes

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


def qr_modules(image, size: int) -> list[list[bool]]:
    """Read the dark modules of a QR code image of `size` modules plus the quiet
    zone, sampling the centre of each module."""
    grey = image.convert("L")
    scale = grey.width / (size + 2 * QR_BORDER)
    rows = []
    for row in range(size):
        y = int((row + QR_BORDER + 0.5) * scale)
        rows.append(
            [
                grey.getpixel((int((column + QR_BORDER + 0.5) * scale), y)) < 128
                for column in range(size)
            ]
        )
    return rows


@pytest.fixture
def signed_pdf(signed):
    return certificate_pdf_bytes(signed)


def test_pdf_matches_stored_hash(signed, signed_pdf):
    assert hashlib.sha256(signed_pdf).hexdigest() == signed.pdf_sha256
    assert signed_pdf.startswith(b"%PDF-")


def test_pdf_shows_code_and_customer(signed, signed_pdf, customer):
    text = pdf_text(signed_pdf)
    assert signed.code in text
    assert "Constructora Ñandú S.A.S." in text
    assert customer.identification_display in text
    assert "CERTIFICADO DE RECOLECCIÓN Y TRANSPORTE DE RESIDUOS ESPECIALES" in text


def test_pdf_shows_short_url(signed, signed_pdf):
    text = pdf_text(signed_pdf).replace("\n", "")
    assert short_url(signed) == f"aseo.example.com/v/{signed.public_token}/"
    assert short_url(signed) in text


def test_pdf_lists_orders_and_invoices(signed, signed_pdf, invoiced_order):
    text = pdf_text(signed_pdf)
    assert invoiced_order.code in text
    assert "FE-1001" in text
    assert "14/10/2026" in text
    assert "3,5" in text
    assert "Resolución CORTOLIMA 1234 de 2024" in text
    assert "Escombrera municipal La Esperanza" in text


def test_pdf_shows_signer(signed_pdf):
    text = pdf_text(signed_pdf)
    assert "Diana Rojas" in text
    assert "Directora de ventas" in text


def test_pdf_embeds_signature_image(signed_pdf):
    images = PdfReader(io.BytesIO(signed_pdf)).pages[0].images
    sizes = {image.image.size for image in images}
    assert (120, 40) in sizes


def test_pdf_qr_encodes_public_url(signed, signed_pdf):
    # No QR decoder is installed, so the embedded image is read module by module
    # and compared with the symbol segno builds for the expected URL.
    expected = qr_code(public_url(signed))
    size = expected.symbol_size(scale=1, border=0)[0]
    expected_modules = [[bool(value) for value in row] for row in expected.matrix]
    images = PdfReader(io.BytesIO(signed_pdf)).pages[0].images
    candidates = [
        image.image for image in images if image.image.width == image.image.height
    ]
    assert candidates, "no square image (QR code) found in the PDF"
    assert any(qr_modules(image, size) == expected_modules for image in candidates)


def test_qr_differs_for_other_url(signed, signed_pdf):
    other = qr_code(public_url(signed).replace("/v/", "/w/"))
    size = other.symbol_size(scale=1, border=0)[0]
    other_modules = [[bool(value) for value in row] for row in other.matrix]
    images = PdfReader(io.BytesIO(signed_pdf)).pages[0].images
    squares = [
        image.image for image in images if image.image.width == image.image.height
    ]
    assert squares
    assert all(qr_modules(image, size) != other_modules for image in squares)


def test_draft_preview_marked_as_draft(draft):
    from certificates.pdf import certificate_render_pdf

    text = pdf_text(certificate_render_pdf(draft))
    assert "BORRADOR SIN FIRMA" in text
    assert "/v/" not in text


def test_pdf_request_and_company_wording(signed):
    signed.request_channel = "oficio"
    signed.request_reference = "Radicado 77"
    from certificates.pdf import certificate_render_pdf

    text = " ".join(pdf_text(certificate_render_pdf(signed)).split())
    assert "E.S.P.." not in text
    assert "facturados por ASEO VALLE DEL SUMAPAZ S.A. E.S.P." in text
    assert "recibida por oficio radicado (Radicado 77)" in text
    assert "con radicado" not in text


def test_pdf_total_names_unit(signed_pdf):
    text = " ".join(pdf_text(signed_pdf).split())
    assert "Cantidad total (" in text


def test_pdf_avoids_gender_shortcut(signed_pdf):
    assert "(a)" not in pdf_text(signed_pdf)
