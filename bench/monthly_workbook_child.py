"""One side of the monthly_workbook benchmark, run in its own process:

    python bench/monthly_workbook_child.py load DATABASE_URL
    python bench/monthly_workbook_child.py ours|bare DATABASE_URL YYYY-MM OUTPUT.xlsx

Prints one JSON line: rows written, seconds spent on the query and the file, and
the resident memory before starting.
"""

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE_QUERY = """
SELECT o.executed_on, c.name, c.id_number, o.address, m.name,
       l.code, l.description, COALESCE(l.executed_quantity, l.quantity), l.unit,
       l.unit_price, l.unit_price * COALESCE(l.executed_quantity, l.quantity),
       l.unit_price * COALESCE(l.executed_quantity, l.quantity) * l.tax_rate,
       l.unit_price * COALESCE(l.executed_quantity, l.quantity) * (1 + l.tax_rate),
       o.code, q.code,
       (SELECT count(*) FROM field_work_serviceproof p WHERE p.order_id = o.id),
       o.invoice_number, o.invoice_date
FROM service_orders_serviceorderline l
JOIN service_orders_serviceorder o ON o.id = l.order_id
JOIN customers_customer c ON c.id = o.customer_id
JOIN quotations_quotation q ON q.id = o.quotation_id
LEFT JOIN zones_municipality m ON m.dane_code = o.municipality_id
WHERE o.status = 'ejecutada' AND o.executed_on BETWEEN %s AND %s
ORDER BY o.executed_on, o.code, l.position, l.id
"""


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(month_text: str, output: str) -> dict:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from billing.consolidation import month_orders, workbook_export
    from billing.periods import month_parse

    month = month_parse(month_text)
    connection.ensure_connection()
    start_rss = rss_mb()
    started = time.perf_counter()
    summary = workbook_export(month_orders(month), output, month=month)
    seconds = time.perf_counter() - started
    return {"rows": summary.rows, "seconds": seconds, "start_rss_mb": start_rss}


def run_bare(url: str, month_text: str, output: str) -> dict:
    import calendar
    from datetime import date

    import psycopg
    import xlsxwriter

    year, month = (int(part) for part in month_text.split("-"))
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    with psycopg.connect(url) as connection:
        start_rss = rss_mb()
        started = time.perf_counter()
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
        sheet = workbook.add_worksheet()
        rows = 0
        with connection.cursor(name="rows") as cursor:
            cursor.itersize = 2000
            cursor.execute(BARE_QUERY, (first, last))
            for row in cursor:
                sheet.write_row(rows, 0, row)
                rows += 1
        workbook.close()
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "start_rss_mb": start_rss}


def load() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from bench.benchmarks.monthly_workbook import load_services

    load_services()


def main() -> int:
    if sys.argv[1] == "load":
        load()
        return 0
    mode, url, month_text, output = sys.argv[1:5]
    if mode == "ours":
        figures = run_ours(month_text, output)
    else:
        figures = run_bare(url, month_text, output)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
