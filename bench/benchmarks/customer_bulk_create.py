"""Baseline: Django's bulk_create of the customer file into customers.Customer."""

import csv
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.harness import (
    Options,
    bench_database,
    migrate,
    rows_per_second,
    setup_django,
)
from bench.report import Line, number

TITLE = "Baseline: Django bulk_create of the customer file"
NEEDS_POSTGRESQL = True
BATCH_SIZES = [1000, 2000]


def measure(options: Options) -> dict:
    """Time reading the file, building model instances with the least cleaning the
    table accepts (digits of the ID, first duplicate kept) and bulk_create."""
    figures = {}
    with (
        bench_database(options, "bulk_create") as url,
        tempfile.TemporaryDirectory() as var_dir,
    ):
        migrate(url, Path(var_dir))
        setup_django(url, Path(var_dir))
        from django.db import connection

        for batch_size in BATCH_SIZES:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE customers_customer CASCADE")
            started = time.perf_counter()
            created = load(options.customer_file, batch_size)
            seconds = time.perf_counter() - started
            figures[str(batch_size)] = {
                "rows": created,
                "seconds": seconds,
                "rows_per_second": rows_per_second(created, seconds),
            }
        connection.close()
    return figures


def load(path: str, batch_size: int) -> int:
    from django.db import transaction

    from customers.models import Customer

    with open(path, encoding="cp1252", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        customers = build_customers(Customer, reader)
        with transaction.atomic():
            Customer.objects.bulk_create(customers, batch_size=batch_size)
    return len(customers)


def build_customers(model, reader) -> list:
    seen = set()
    customers = []
    for row in reader:
        id_number = "".join(char for char in row[0] if char.isdigit())
        if not id_number or id_number in seen:
            continue
        seen.add(id_number)
        check_digit = row[1].strip()[:1]
        customer_type = row[3].strip().lower()
        customers.append(
            model(
                id_type="NIT" if check_digit else "CC",
                id_number=id_number[:20],
                check_digit=check_digit,
                name=row[2].strip()[:200],
                customer_type=customer_type if customer_type == "nuevo" else "antiguo",
                address=row[4].strip()[:200],
                barrio=row[5].strip()[:120],
                phone=e164(row[7]),
                mobile=e164(row[8]),
                email=row[9].strip()[:254],
                last_service_date=parse_date(row[12]),
                last_service_amount=parse_amount(row[13]),
            )
        )
    return customers


def e164(text: str) -> str:
    digits = "".join(char for char in text if char.isdigit())[-10:]
    return "+57" + digits if len(digits) == 10 else ""


def parse_date(text: str):
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def parse_amount(text: str):
    return int(text) if text.isdigit() else None


def table(figures: dict, results: dict) -> list[Line]:
    lines = []
    for batch_size in BATCH_SIZES:
        run = figures[str(batch_size)]
        lines.append(
            Line(
                f"Batch {batch_size}: {number(run['rows'])} rows in "
                f"{run['seconds']:.2f} s",
                f"{number(run['rows_per_second'])} rows/s",
            )
        )
    copy = results.get("copy", {})
    if "rows_per_second" in copy:
        best = max(figures[str(size)]["rows_per_second"] for size in BATCH_SIZES)
        lines.append(
            Line(
                "Best rate as a ratio of COPY", f"{best / copy['rows_per_second']:.2f}"
            )
        )
    lines.append(
        Line("Peak memory of the process", f"{figures['peak_rss_mb']:.0f} MiB")
    )
    return lines
