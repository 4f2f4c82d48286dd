"""PDF documents rendered from Django templates with WeasyPrint.

The documents embed Roboto, taken from the installed `font-roboto` package, so
accents and ñ look the same on any server whatever fonts the system has. Templates
set `font-family: "Documento"` (the family declared here) on their body.

Rendering is fastest when Debian's `libharfbuzz-subset0` is installed: WeasyPrint
then subsets the embedded fonts with HarfBuzz instead of fontTools.
"""

import threading
from pathlib import Path

import font_roboto
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

FONT_FAMILY = "Documento"
_FONT_FILES = {
    ("normal", "normal"): "Roboto-Regular.ttf",
    ("bold", "normal"): "Roboto-Bold.ttf",
    ("normal", "italic"): "Roboto-Italic.ttf",
    ("bold", "italic"): "Roboto-BoldItalic.ttf",
}


def font_path(file_name: str) -> Path:
    return Path(font_roboto.font_directory) / file_name


def font_face_css() -> str:
    """Return the @font-face rules that declare the embedded font family."""
    rules = []
    for (weight, style), file_name in _FONT_FILES.items():
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; '
            f"src: url({font_path(file_name).as_uri()}); "
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


_cache = threading.local()


def _font_stylesheet() -> tuple[CSS, FontConfiguration]:
    # Parsing the @font-face rules once saves a few milliseconds on every document.
    # The cache is per thread because a FontConfiguration wraps a fontconfig and
    # Pango state that is not documented as safe to share between threads.
    if not hasattr(_cache, "stylesheet"):
        font_config = FontConfiguration()
        _cache.stylesheet = (
            CSS(string=font_face_css(), font_config=font_config),
            font_config,
        )
    return _cache.stylesheet


def render_pdf(*, template: str, context: dict, base_url: str | None = None) -> bytes:
    """Render `template` with the prepared `context` and return the PDF bytes.

    `base_url` resolves relative links such as a logo path; file paths in the
    context should be given as absolute `file://` URLs instead where possible.
    """
    html = render_to_string(template, context)
    stylesheet, font_config = _font_stylesheet()
    document = HTML(string=html, base_url=base_url)
    return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)
