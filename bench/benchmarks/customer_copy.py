"""Baseline: a bare PostgreSQL COPY of the customer file into a plain table."""

import csv
import statistics
import time

import psycopg

from bench.harness import Options, bench_database, rows_per_second
from bench.report import Line, number

TITLE = "Baseline: bare PostgreSQL COPY of the customer file"
NEEDS_POSTGRESQL = True
REPEATS = 3
COLUMNS = [
    "id_number",
    "check_digit",
    "name",
    "customer_type",
    "address",
    "barrio",
    "municipality",
    "phone",
    "mobile",
    "email",
    "contact",
    "zone",
    "last_service_date",
    "last_service_amount",
]


def measure(options: Options) -> dict:
    """Time reading the file and copying its rows as text (median of REPEATS)."""
    with bench_database(options, "copy") as url, psycopg.connect(url) as connection:
        columns = ", ".join(f"{column} text" for column in COLUMNS)
        connection.execute(
            f"CREATE TABLE bench_customer (id bigserial PRIMARY KEY, {columns})"
        )
        connection.commit()
        timings = []
        for _ in range(REPEATS):
            connection.execute("TRUNCATE bench_customer")
            connection.commit()
            started = time.perf_counter()
            copied = copy_file(connection, options.customer_file)
            connection.commit()
            timings.append(time.perf_counter() - started)
        seconds = statistics.median(timings)
    return {
        "rows": copied,
        "columns": len(COLUMNS),
        "seconds": seconds,
        "rows_per_second": rows_per_second(copied, seconds),
        "repeats": REPEATS,
    }


def copy_file(connection, path: str) -> int:
    statement = f"COPY bench_customer ({', '.join(COLUMNS)}) FROM STDIN"
    copied = 0
    with (
        open(path, encoding="cp1252", newline="") as handle,
        connection.cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for row in reader:
            if any(row):
                copy.write_row(row)
                copied += 1
    return copied


def table(figures: dict, results: dict) -> list[Line]:
    return [
        Line("Rows copied", number(figures["rows"])),
        Line("Columns", str(figures["columns"])),
        Line(f"Time (median of {figures['repeats']})", f"{figures['seconds']:.2f} s"),
        Line("Rate", f"{number(figures['rows_per_second'])} rows/s"),
        Line("Peak memory of the process", f"{figures['peak_rss_mb']:.0f} MiB"),
    ]
