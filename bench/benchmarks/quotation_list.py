"""The quotation list with 100,000 quotations on PostgreSQL: server time of a page
through the real view (middleware, query, template), for the director and an
advisor."""

import math
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.benchmarks.quotation_data import create_customers, create_sales_team
from bench.harness import Options, bench_database, migrate, setup_django
from bench.report import Line, number

TITLE = "Quotation list on PostgreSQL"
NEEDS_POSTGRESQL = True
TARGET_MS = 50
QUOTATIONS = 100_000
CUSTOMERS = 5_000
TIMED_PASSES = 5


def measure(options: Options) -> dict:
    with (
        bench_database(options, "quotation_list") as url,
        tempfile.TemporaryDirectory() as var_dir,
    ):
        migrate(url, Path(var_dir))
        setup_django(url, Path(var_dir))
        from django.db import connection

        director, advisors = create_sales_team()
        customers = create_customers(advisors, CUSTOMERS)
        started = time.perf_counter()
        load_quotations(customers)
        load_seconds = time.perf_counter() - started
        figures = {
            "quotations": QUOTATIONS,
            "load_seconds": load_seconds,
            "director": time_pages(director),
            "advisor": time_pages(advisors[0]),
        }
        connection.close()
    return figures


def load_quotations(customers) -> None:
    from datetime import date, timedelta

    from django.db import connection
    from django.utils import timezone

    from quotations.models import Quotation

    statuses = ["emitida", "enviada", "aceptada", "rechazada", "vencida", "borrador"]
    first_day = date(2024, 1, 1)
    batch = []
    for index in range(QUOTATIONS):
        customer = customers[index % len(customers)]
        quotation_date = first_day + timedelta(days=index % 700)
        status = statuses[index % len(statuses)]
        batch.append(
            Quotation(
                code="" if status == "borrador" else f"COT-BENCH-{index:06d}",
                status=status,
                customer=customer,
                advisor=customer.advisor,
                created_by=customer.advisor,
                date=quotation_date,
                valid_until=quotation_date + timedelta(days=30),
                total=Decimal(100_000 + index),
                issued_at=None if status == "borrador" else timezone.now(),
            )
        )
        if len(batch) == 5000:
            Quotation.objects.bulk_create(batch)
            batch = []
    Quotation.objects.bulk_create(batch)
    # VACUUM sets the visibility map that index-only scans need, as autovacuum
    # does on a table in use; right after a bulk load it is not set yet.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Quotation._meta.db_table}")


def requests_for(user) -> list[tuple[str, dict]]:
    requests = [
        ("first page", {}),
        ("page 500", {"pagina": "500"}),
        ("status filter", {"status": "aceptada"}),
        ("code search", {"q": "COT-BENCH-054321"}),
        ("customer search", {"q": "construccion numero 4321"}),
    ]
    if user.is_manager:
        requests.append(("advisor filter", {"advisor": "2"}))
    return requests


def time_pages(user) -> dict:
    from django.test import Client

    # ALLOWED_HOSTS of the development settings does not list "testserver".
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    requests = requests_for(user)
    for _label, params in requests:
        response = client.get("/cotizaciones/", params)
        assert response.status_code == 200, response.status_code
    timings = {label: [] for label, _params in requests}
    for _ in range(TIMED_PASSES):
        for label, params in requests:
            started = time.perf_counter()
            client.get("/cotizaciones/", params)
            timings[label].append((time.perf_counter() - started) * 1000)
    medians = {label: statistics.median(values) for label, values in timings.items()}
    values = sorted(medians.values())
    return {
        "pages": medians,
        "median_ms": statistics.median(values),
        "max_ms": values[-1],
        "p95_ms": values[math.ceil(0.95 * len(values)) - 1],
    }


def table(figures: dict, results: dict) -> list[Line]:
    lines = [Line("Quotations loaded", number(figures["quotations"]))]
    for role, role_label in (("director", "Director"), ("advisor", "Advisor (1/8)")):
        for label, value in figures[role]["pages"].items():
            lines.append(
                Line(
                    f"{role_label}: {label}",
                    f"{value:.1f} ms",
                    f"< {TARGET_MS} ms",
                    value < TARGET_MS,
                )
            )
    lines.append(
        Line("Peak memory of the process", f"{figures['peak_rss_mb']:.0f} MiB")
    )
    return lines


def details(figures: dict) -> str:
    return (
        "Each figure is the median of "
        f"{TIMED_PASSES} GET requests to /cotizaciones/ through Django's test client "
        "(middleware, the page of 50 rows plus one, a COUNT capped at 1,001 rows "
        "when the page does not already tell the total, and the template), after a "
        "warm-up request.\n"
    )
