import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.pdf import FONT_FAMILY, font_face_css, font_path, render_pdf

TEMPLATE_DIR = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def test_templates(settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATE_DIR],
        }
    ]


def render(text):
    return render_pdf(template="core_tests/sample.html", context={"text": text})


def test_render_pdf_returns_a_pdf():
    assert render("Hola").startswith(b"%PDF-")


def test_render_pdf_keeps_accents_and_enye():
    text = PdfReader(io.BytesIO(render("Cotización Ñandú ÓSCAR pingüino"))).pages[0]
    assert "Cotización Ñandú ÓSCAR pingüino" in text.extract_text()


def test_render_pdf_embeds_the_shipped_font():
    page = PdfReader(io.BytesIO(render("Año"))).pages[0]
    fonts = [
        font.get_object()["/BaseFont"] for font in page["/Resources"]["/Font"].values()
    ]
    assert any(FONT_FAMILY in name for name in fonts)


def test_font_files_exist_in_the_installed_package():
    assert font_path("Roboto-Regular.ttf").is_file()


def test_font_face_css_points_to_installed_files():
    assert "Roboto-Bold.ttf" in font_face_css()
