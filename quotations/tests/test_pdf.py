import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from quotations import services
from quotations.pdf import quotation_pdf_context, quotation_render_pdf
from quotations.tests.helpers import make_quotation, make_tariff

pytestmark = pytest.mark.django_db


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def issued_text(advisor, customer, director):
    item = make_tariff(
        director, code="SE-500", price="1000000", service="Demolición y retiro de muros"
    )
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(item, "1")])
    issued = services.quotation_issue(quotation=draft, user=advisor)
    return "\n".join(pdf_pages(issued.pdf_file.read())), issued


def test_pdf_shows_code(issued_text):
    text, issued = issued_text
    assert issued.code in text


def test_pdf_keeps_accents_and_enye(issued_text):
    text, _ = issued_text
    assert "Panadería La Ñapa S.A.S." in text
    assert "COTIZACIÓN" in text
    assert "Demolición" in text


def test_pdf_shows_customer_nit_formatted(issued_text, customer):
    text, _ = issued_text
    assert customer.identification_display in text


def test_pdf_shows_totals(issued_text):
    text, _ = issued_text
    assert "$ 1.000.000" in text
    assert "$ 190.000" in text
    assert "$ 1.190.000" in text
    assert "1.190.000,00" not in text


def test_pdf_shows_total_in_words(issued_text):
    text, _ = issued_text
    assert "UN MILLÓN CIENTO NOVENTA MIL PESOS M/CTE" in text


def test_pdf_words_match_printed_total(advisor, customer, director, settings):
    settings.QUOTATION_ROUND_TO_PESOS = False
    item = make_tariff(director, code="SE-501", price="1000.50", service="Poda")
    quotation = make_quotation(customer=customer, advisor=advisor, lines=[(item, "1")])
    context = quotation_pdf_context(quotation)
    assert quotation.total != quotation.total.to_integral_value()
    assert context["total"] == "$ 1.191"
    assert context["total_in_words"] == "MIL CIENTO NOVENTA Y UN PESOS M/CTE"


def test_pdf_shows_advisor_and_letterhead(issued_text, settings):
    text, _ = issued_text
    assert "Andrés Gómez" in text
    assert settings.COMPANY_NIT in text


def test_pdf_shows_validity(issued_text):
    text, issued = issued_text
    assert f"{issued.valid_until:%d/%m/%Y}" in text


def test_long_quotation_repeats_table_header(advisor, customer, debris, pruning):
    quotation = make_quotation(customer=customer, advisor=advisor)
    for index in range(120):
        services.quotation_line_add(
            quotation=quotation,
            tariff_item=debris if index % 2 else pruning,
            quantity=Decimal(index + 1),
            description=f"Servicio número {index + 1} en la sede de Girardot",
        )
    quotation.refresh_from_db()
    pages = pdf_pages(quotation_render_pdf(quotation))
    pages_with_lines = [page for page in pages if "Servicio número" in page]
    assert len(pages_with_lines) >= 3
    for page in pages_with_lines:
        assert "Código Descripción Unidad Cantidad" in page


def test_long_quotation_prints_every_line(advisor, customer, debris):
    quotation = make_quotation(customer=customer, advisor=advisor)
    for index in range(120):
        services.quotation_line_add(
            quotation=quotation,
            tariff_item=debris,
            quantity=Decimal("1"),
            description=f"Retiro número {index + 1:03d}",
        )
    quotation.refresh_from_db()
    text = "\n".join(pdf_pages(quotation_render_pdf(quotation)))
    assert all(f"Retiro número {index:03d}" in text for index in range(1, 121))
