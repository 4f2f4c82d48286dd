"""PDF rendering of a batch of signed certificates: median milliseconds per
document and the batch's wall time, in a pool of two worker processes and in a
single process, in the same run."""

import io
import multiprocessing
import os
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench.benchmarks.quotation_data import (
    create_customers,
    create_sales_team,
    create_tariff,
)
from bench.harness import Options, django_env, manage, setup_django
from bench.report import Line

TITLE = "Certificate PDF rendering in a batch"
NEEDS_POSTGRESQL = False
CERTIFICATES = 200
WORKERS = 2
# Service lines per certificate: a month of weekly debris collections.
LINES = 5
WARM_UP = 3


def measure(options: Options) -> dict:
    with tempfile.TemporaryDirectory() as var_dir:
        url = f"sqlite:///{var_dir}/bench.sqlite3"
        result = manage(["migrate", "--noinput"], django_env(url, Path(var_dir)))
        if result.returncode != 0:
            raise RuntimeError(f"migrate failed:\n{result.stderr}")
        setup_django(url, Path(var_dir))
        keys = create_signed_certificates(CERTIFICATES)
        return time_batches(keys)


def create_signed_certificates(count: int) -> list[int]:
    """Create `count` signed certificates without rendering them, and return their
    primary keys. Each covers LINES invoiced service orders."""
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from PIL import Image

    from certificates.models import Certificate, CertificateLine
    from service_orders.models import ServiceOrder
    from tests.factories import make_accepted_quotation

    director, advisors = create_sales_team(advisors=2)
    customers = create_customers(advisors, 20)
    item = create_tariff(director)

    buffer = io.BytesIO()
    Image.new("RGB", (360, 120), (20, 20, 120)).save(buffer, format="PNG")
    signature = Certificate(signature_image="")
    signature.signature_image.save("firma.png", ContentFile(buffer.getvalue()), False)
    signature_name = signature.signature_image.name

    orders_by_customer = {}
    for customer in customers:
        quotation = make_accepted_quotation(
            customer=customer, advisor=customer.advisor, lines=[(item, "6")]
        )
        orders = []
        for index in range(LINES):
            executed_on = date(2026, 10, 5) + timedelta(days=7 * index)
            orders.append(
                ServiceOrder.objects.create(
                    code=f"OS-2026-{customer.pk:03d}{index:02d}",
                    quotation=quotation,
                    customer=customer,
                    advisor=customer.advisor,
                    address=customer.address,
                    status=ServiceOrder.Status.EXECUTED,
                    executed_on=executed_on,
                    invoice_number=f"FE-{customer.pk:03d}{index:02d}",
                    invoice_date=executed_on,
                    created_by=customer.advisor,
                )
            )
        orders_by_customer[customer.pk] = orders

    now = timezone.now()
    keys = []
    for number in range(1, count + 1):
        customer = customers[number % len(customers)]
        certificate = Certificate.objects.create(
            code=f"CERT-2026-{number:05d}",
            status=Certificate.Status.SIGNED,
            customer=customer,
            request_channel=Certificate.RequestChannel.EMAIL,
            request_reference=f"RAD-{number}",
            requested_on=date(2026, 11, 3),
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            waste_type="Residuos de construcción y demolición (RCD)",
            destination_site="Escombrera municipal La Esperanza, Melgar (Tolima)",
            destination_authorization="Resolución CORTOLIMA 1234 de 2024",
            weigh_tickets=", ".join(f"TB-{number}{index}" for index in range(LINES)),
            drafted_by=customer.advisor,
            signed_by=director,
            signed_at=now,
            signer_name="Diana Rojas",
            signer_title="Directora de ventas",
            signature_image=signature_name,
        )
        CertificateLine.objects.bulk_create(
            CertificateLine(
                certificate=certificate,
                order=order,
                executed_on=order.executed_on,
                description="Recolección y transporte de escombros en volqueta",
                quantity=Decimal("6.000"),
                unit="m3",
                invoice_number=order.invoice_number,
            )
            for order in orders_by_customer[customer.pk]
        )
        keys.append(certificate.pk)
    return keys


def render_one(key: int) -> float:
    """Render the PDF of certificate `key` from the database; return milliseconds."""
    from certificates.models import Certificate
    from certificates.pdf import certificate_render_pdf

    started = time.perf_counter()
    certificate = Certificate.objects.select_related("customer").get(pk=key)
    certificate_render_pdf(certificate)
    return (time.perf_counter() - started) * 1000


def _warm_up_worker(keys: list[int]) -> None:
    for key in keys[:WARM_UP]:
        render_one(key)


def time_batches(keys: list[int]) -> dict:
    """Render the batch in a pool of WORKERS processes, then in this process."""
    from django.db import connections
    from pypdf import PdfReader

    from certificates.models import Certificate
    from certificates.pdf import certificate_render_pdf

    pages = len(
        PdfReader(
            io.BytesIO(certificate_render_pdf(Certificate.objects.get(pk=keys[0])))
        ).pages
    )

    # Forked workers must open their own database connections.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(WORKERS, initializer=_warm_up_worker, initargs=(keys,)) as pool:
        # Each worker runs its warm-up renders before its first task, so waiting
        # for a trivial map keeps at least one worker's warm-up out of the timing.
        pool.map(_noop, range(WORKERS), chunksize=1)
        started = time.perf_counter()
        pooled = pool.map(render_one, keys, chunksize=1)
        pool_seconds = time.perf_counter() - started

    _warm_up_worker(keys)
    single = []
    started = time.perf_counter()
    for key in keys:
        single.append(render_one(key))
    single_seconds = time.perf_counter() - started

    return {
        "documents": len(keys),
        "workers": WORKERS,
        "cores": os.cpu_count(),
        "pages": pages,
        "pool_median_ms": statistics.median(pooled),
        "pool_seconds": pool_seconds,
        "pool_ms_per_document": pool_seconds * 1000 / len(keys),
        "single_median_ms": statistics.median(single),
        "single_seconds": single_seconds,
        "single_ms_per_document": single_seconds * 1000 / len(keys),
        "speed_up": single_seconds / pool_seconds,
        "load_average_after": ", ".join(f"{load:.2f}" for load in os.getloadavg()),
    }


def _noop(_value) -> None:
    return None


def table(figures: dict, results: dict) -> list[Line]:
    documents = figures["documents"]
    workers = figures["workers"]
    return [
        Line(
            "Documents in the batch (pages each)", f"{documents} ({figures['pages']})"
        ),
        Line(
            f"Pool of {workers} processes: median per document",
            f"{figures['pool_median_ms']:.0f} ms",
        ),
        Line(
            f"Pool of {workers} processes: batch wall time (per document)",
            f"{figures['pool_seconds']:.1f} s "
            f"({figures['pool_ms_per_document']:.0f} ms)",
        ),
        Line(
            "One process: median per document",
            f"{figures['single_median_ms']:.0f} ms",
        ),
        Line(
            "One process: batch wall time (per document)",
            f"{figures['single_seconds']:.1f} s "
            f"({figures['single_ms_per_document']:.0f} ms)",
        ),
        Line("Speed-up of the pool", f"{figures['speed_up']:.2f} x"),
        Line(
            "Load average after the run (1, 5, 15 min)", figures["load_average_after"]
        ),
    ]


def details(figures: dict) -> str:
    return (
        f"Each document is a signed certificate with {LINES} service lines, the "
        "signature image and the QR code, loaded from SQLite and rendered by "
        "`certificates.pdf.certificate_render_pdf` (template, Roboto, segno PNG). "
        f"The pool is a `multiprocessing` fork pool of {figures['workers']} "
        f"workers, each warmed with {WARM_UP} renders; the single-process batch "
        "runs after it, also warmed. The median per document is the time of one "
        "render inside its process; the per-document figure in brackets is the "
        "batch wall time divided by the documents. The speed-up cannot exceed the "
        f"free cores ({figures['cores']} on this machine), and other work on the "
        "machine lowers it.\n"
    )
