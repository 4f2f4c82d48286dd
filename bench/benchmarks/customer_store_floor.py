"""Baseline: the rows our customer import stores, loaded again with COPY alone.

The bare COPY baseline loads the file's text into one table with a primary key
only. Our import stores more: each customer with its search text, sort key and
indexes, its primary contact, and a history record of each. This benchmark runs
the import once and copies out the rows it stored. It then times loading exactly
those rows into the emptied tables with COPY, the way the import loads them: the
same indexes and foreign keys dropped and restored, the same ANALYZE. No Python runs
per row, so its rate is the highest any import that stores these rows can reach
on this machine. Its ratio to the bare COPY shows how much of the import's
target ratio the stored data alone uses up.
"""

import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import (
    Options,
    bench_database,
    django_env,
    manage,
    migrate,
    rows_per_second,
    setup_django,
)
from bench.report import Line, number

TITLE = "Baseline: the rows our import stores, loaded with COPY alone"
NEEDS_POSTGRESQL = True
BASELINES = ["copy"]
REPEATS = 3


def measure(options: Options) -> dict:
    with (
        bench_database(options, "store_floor") as url,
        tempfile.TemporaryDirectory() as var_dir,
    ):
        migrate(url, Path(var_dir))
        print("import the customer file once, untimed", flush=True)
        result = manage(
            ["import_customers", options.customer_file, "--json", "--skip-invalid"],
            django_env(url, Path(var_dir)),
        )
        if result.returncode != 0:
            raise RuntimeError(f"the import failed:\n{result.stderr[-2000:]}")
        setup_django(url, Path(var_dir))
        # The rate counts the data rows the import read, as the import's does.
        return time_reloads(json.loads(result.stdout)["rows"])


def stored_tables() -> list:
    """Return the models whose tables the import fills, parents first."""
    from customers.models import Contact, Customer

    return [Customer, Customer.history.model, Contact, Contact.history.model]


def time_reloads(file_rows: int) -> dict:
    """Copy the stored rows out once, then time loading them back into the
    emptied tables (median of REPEATS)."""
    from django.db import connection, transaction

    from customers import initial_load
    from customers.importer import _lock_customers

    tables = [model._meta.db_table for model in stored_tables()]
    dumps, counts = {}, {}
    with connection.cursor() as cursor:
        for table in tables:
            chunks = []
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                for chunk in copy:
                    chunks.append(bytes(chunk))
            dumps[table] = b"".join(chunks)
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]

    quoted = ", ".join(f'"{table}"' for table in tables)
    timings = []
    for _ in range(REPEATS):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {quoted} CASCADE")
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            _lock_customers()
            statements = initial_load.schema_drop()
            for table in tables:
                with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                    copy.write(dumps[table])
            initial_load.schema_restore(statements)
        timings.append(time.perf_counter() - started)
    seconds = statistics.median(timings)
    customer_table, history_table, contact_table, _contact_history = tables
    return {
        "rows": file_rows,
        "customers": counts[customer_table],
        "customer_history": counts[history_table],
        "contacts": counts[contact_table],
        "megabytes": sum(len(dump) for dump in dumps.values()) / 1e6,
        "seconds": seconds,
        "rows_per_second": rows_per_second(file_rows, seconds),
        "repeats": REPEATS,
    }


def table(figures: dict, results: dict) -> list[Line]:
    from bench.benchmarks.customer_import import TARGET_COPY_RATIO

    lines = [
        Line(
            f"COPY of the stored rows: {number(figures['customers'])} customers, "
            f"{number(figures['contacts'])} contacts and their history "
            f"({figures['megabytes']:.0f} MB of text), indexes and ANALYZE "
            f"(median of {figures['repeats']})",
            f"{figures['seconds']:.2f} s, {number(figures['rows_per_second'])} rows/s",
        )
    ]
    copy_seconds = results.get("copy", {}).get("seconds")
    if copy_seconds:
        ratio = copy_seconds / figures["seconds"]
        lines.append(
            Line(
                "Its rate as a ratio of the bare COPY in this run: the most any "
                "import storing these rows can reach, with no Python per row and "
                "no start-up",
                f"{ratio:.2f}",
                f"the import's target is {TARGET_COPY_RATIO}",
            )
        )
    ours = results.get("import", {}).get("postgresql_large", {})
    if ours.get("returncode") == 0 and ours.get("seconds"):
        lines.append(
            Line(
                "Our import's rate as a ratio of this one (whole command, "
                "start-up included)",
                f"{figures['seconds'] / ours['seconds']:.2f}",
            )
        )
    return lines


def details(figures: dict) -> str:
    return (
        "The rows are the ones `import_customers` stored from the same file in "
        "this benchmark's own database. Each repeat empties the tables, then in "
        "one transaction drops the indexes and foreign keys the import drops, "
        "copies the rows back, restores them and updates the statistics "
        "(`customers.initial_load`). The rate counts the file's data rows, as "
        "the import's rate does.\n"
    )
