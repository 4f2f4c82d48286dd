"""Our registry import: `manage.py import_subscribers FILE --json --skip-invalid` on
PostgreSQL, on a fresh migrated database, with rate, peak memory and the ratio to a
bare COPY of the same rows."""

import tempfile
from pathlib import Path

from bench.benchmarks import customer_import
from bench.benchmarks.registry_copy import ROWS
from bench.harness import Options, bench_database, migrate
from bench.registry_file import registry_file
from bench.report import Line

TITLE = "Registry import on PostgreSQL: manage.py import_subscribers"
NEEDS_POSTGRESQL = True
BASELINES = ["registry_copy"]
# The memory check compares the full file with one a quarter of its size.
SMALL_ROWS = ROWS // 4


def measure(options: Options) -> dict:
    figures = {"available": True}
    for size, rows in (("large", ROWS), ("small", SMALL_ROWS)):
        print(f"registry import on PostgreSQL, {rows:,} rows", flush=True)
        figures[f"postgresql_{size}"] = import_on_postgresql(
            options, str(registry_file(rows))
        )
    return figures


def import_on_postgresql(options: Options, path: str) -> dict:
    with (
        bench_database(options, "registry_import") as url,
        tempfile.TemporaryDirectory() as var_dir,
    ):
        migrate(url, Path(var_dir))
        return customer_import.run_import(
            path, url, Path(var_dir), command="import_subscribers"
        )


def table(figures: dict, results: dict) -> list[Line]:
    copy_rate = results.get("registry_copy", {}).get("rows_per_second")
    # The registry's target is a rate, with the ratio to COPY reported beside it.
    return customer_import.run_lines(
        "postgresql",
        figures["postgresql_large"],
        figures["postgresql_small"],
        copy_rate,
        copy_ratio_target=None,
    )


def details(figures: dict) -> str:
    return (
        "The file repeats the 20,000-account sample registry with new account codes "
        "(`bench/registry_file.py`). Each import runs `manage.py import_subscribers "
        "FILE --json --skip-invalid` on a freshly migrated database; the time is the "
        "whole command, Django start-up included, and the peak memory is that "
        "process's `ru_maxrss`.\n"
    )
