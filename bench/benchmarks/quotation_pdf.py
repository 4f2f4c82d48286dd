"""PDF rendering of a one-page quotation: median milliseconds per document, against
a bare WeasyPrint render of the same HTML in the same run."""

import io
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.benchmarks.quotation_data import (
    create_customers,
    create_sales_team,
    create_tariff,
)
from bench.harness import Options, django_env, manage, setup_django
from bench.report import Line

TITLE = "Quotation PDF rendering"
NEEDS_POSTGRESQL = False
# The product's renderer may cost at most this much more than a bare render.
TARGET_RATIO = 1.2
WARM_UP = 3
RUNS = 25
LINES = 6


def measure(options: Options) -> dict:
    with tempfile.TemporaryDirectory() as var_dir:
        url = f"sqlite:///{var_dir}/bench.sqlite3"
        result = manage(["migrate", "--noinput"], django_env(url, Path(var_dir)))
        if result.returncode != 0:
            raise RuntimeError(f"migrate failed:\n{result.stderr}")
        setup_django(url, Path(var_dir))
        return time_renders(one_page_quotation())


def one_page_quotation():
    from quotations import services

    director, advisors = create_sales_team(advisors=1)
    (customer,) = create_customers(advisors, 1)
    item = create_tariff(director)
    quotation = services.quotation_create(
        customer=customer, advisor=advisors[0], user=advisors[0]
    )
    for index in range(LINES):
        services.quotation_line_add(
            quotation=quotation,
            tariff_item=item,
            quantity=Decimal(index + 1),
            description=f"Retiro de escombros, obra número {index + 1}",
        )
    quotation.refresh_from_db()
    return quotation


def time_renders(quotation) -> dict:
    """Alternate product and bare renders so that machine noise hits both alike."""
    from django.template.loader import render_to_string
    from pypdf import PdfReader
    from weasyprint import HTML

    from quotations.pdf import TEMPLATE, quotation_pdf_context, quotation_render_pdf

    context = quotation_pdf_context(quotation)
    html = render_to_string(TEMPLATE, context)
    for _ in range(WARM_UP):
        product_pdf = quotation_render_pdf(quotation)
        HTML(string=html).write_pdf()

    product, bare = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        quotation_render_pdf(quotation)
        product.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        HTML(string=html).write_pdf()
        bare.append((time.perf_counter() - started) * 1000)

    return {
        "runs": RUNS,
        "pages": len(PdfReader(io.BytesIO(product_pdf)).pages),
        "product_median_ms": statistics.median(product),
        "bare_median_ms": statistics.median(bare),
        "ratio": statistics.median(product) / statistics.median(bare),
        "harfbuzz_subset": harfbuzz_subset_available(),
    }


def harfbuzz_subset_available() -> bool:
    import ctypes.util

    return ctypes.util.find_library("harfbuzz-subset") is not None


def table(figures: dict, results: dict) -> list[Line]:
    return [
        Line("Pages per document", str(figures["pages"])),
        Line(
            "Product render (template, embedded Roboto), median",
            f"{figures['product_median_ms']:.0f} ms",
        ),
        Line(
            "Bare WeasyPrint render of the same HTML, median",
            f"{figures['bare_median_ms']:.0f} ms",
        ),
        Line(
            "Ratio product / bare",
            f"{figures['ratio']:.2f}",
            f"≤ {TARGET_RATIO}",
            figures["ratio"] <= TARGET_RATIO,
        ),
        Line("libharfbuzz-subset found", str(figures["harfbuzz_subset"])),
    ]


def details(figures: dict) -> str:
    return (
        f"Median of {figures['runs']} renders each, product and bare alternating, "
        f"after {WARM_UP} warm-up renders. The product figure includes rendering "
        "the Django template from prepared data; the bare one is "
        "`weasyprint.HTML(string=html).write_pdf()` with the system fonts.\n"
    )
