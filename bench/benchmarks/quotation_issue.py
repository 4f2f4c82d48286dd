"""Issuing 1,000 quotations from 20 threads at once on PostgreSQL: every code
distinct, no gap, and the throughput. Each issue takes its code in a short
transaction, then renders and stores its real PDF outside the numbering lock."""

import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

from bench.benchmarks.quotation_data import (
    create_customers,
    create_sales_team,
    create_tariff,
)
from bench.harness import Options, bench_database, migrate, setup_django
from bench.report import Line, number

TITLE = "Concurrent quotation issuing on PostgreSQL"
NEEDS_POSTGRESQL = True
QUOTATIONS = 1000
THREADS = 20


def measure(options: Options) -> dict:
    with (
        bench_database(options, "quotation_issue") as url,
        tempfile.TemporaryDirectory() as var_dir,
    ):
        migrate(url, Path(var_dir))
        setup_django(url, Path(var_dir))
        from django.db import connection

        drafts = create_drafts()
        connection.close()
        figures = issue_concurrently(drafts)
        figures.update(check_codes())
        connection.close()
    return figures


def create_drafts() -> list:
    from quotations.models import Quotation, QuotationLine
    from quotations.money import line_amounts

    director, advisors = create_sales_team()
    customers = create_customers(advisors, 200)
    item = create_tariff(director)
    amounts = line_amounts(
        quantity=Decimal("3"), unit_price=item.unit_price, tax_rate=item.tax_rate
    )
    drafts = []
    for index in range(QUOTATIONS):
        customer = customers[index % len(customers)]
        quotation = Quotation.objects.create(
            customer=customer,
            advisor=customer.advisor,
            created_by=customer.advisor,
            net_total=amounts.net,
            tax_total=amounts.tax,
            total=amounts.total,
        )
        QuotationLine.objects.create(
            quotation=quotation,
            tariff_item=item,
            code=item.code,
            description=item.service,
            unit="m³",
            quantity=Decimal("3"),
            unit_price=item.unit_price,
            tariff_price=item.unit_price,
            tax_rate=item.tax_rate,
            net_amount=amounts.net,
            tax_amount=amounts.tax,
            total_amount=amounts.total,
        )
        drafts.append(quotation)
    return drafts


def issue_concurrently(drafts) -> dict:
    from django.db import connection

    from quotations.services import quotation_issue

    errors = []
    start = threading.Barrier(THREADS + 1)

    def worker(batch):
        try:
            start.wait()
            for draft in batch:
                quotation_issue(quotation=draft, user=draft.advisor)
        except Exception as error:  # reported in the figures
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(drafts[index::THREADS],))
        for index in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "quotations": len(drafts),
        "threads": THREADS,
        "seconds": seconds,
        "per_second": len(drafts) / seconds,
        "errors": errors[:5],
    }


def check_codes() -> dict:
    from quotations.models import Quotation

    codes = list(Quotation.objects.exclude(code="").values_list("code", flat=True))
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    return {
        "issued": len(codes),
        "without_pdf": Quotation.objects.exclude(code="").filter(pdf_sha256="").count(),
        "duplicates": len(codes) - len(set(codes)),
        "gapless": numbers == list(range(1, len(numbers) + 1)),
    }


def table(figures: dict, results: dict) -> list[Line]:
    return [
        Line(
            "Quotations issued",
            number(figures["issued"]),
            number(figures["quotations"]),
            figures["issued"] == figures["quotations"],
        ),
        Line(
            "Duplicate codes",
            str(figures["duplicates"]),
            "0",
            not figures["duplicates"],
        ),
        Line("Codes without gaps", str(figures["gapless"]), "True", figures["gapless"]),
        Line("Threads", str(figures["threads"])),
        Line("Wall time", f"{figures['seconds']:.1f} s"),
        Line("Throughput", f"{figures['per_second']:.1f} quotations/s"),
    ]


def details(figures: dict) -> str:
    return (
        "The numbering lock is held only while the code is taken and saved; the PDF "
        "renders after that commit. The threads share one Python process, so the "
        "renders still take turns on the GIL: the throughput is bounded by render "
        "time per CPU, not by the lock.\n"
    )
