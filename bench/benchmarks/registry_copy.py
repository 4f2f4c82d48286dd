"""Baseline: a bare PostgreSQL COPY of the registry file into a plain table."""

import csv
import statistics
import time

import psycopg

from bench.harness import Options, bench_database, rows_per_second
from bench.registry_file import registry_file
from bench.report import Line, number

TITLE = "Baseline: bare PostgreSQL COPY of the registry file"
NEEDS_POSTGRESQL = True
ROWS = 200_000
REPEATS = 3
COLUMNS = [
    "codigo_cuenta",
    "numero_predial",
    "tipo_documento",
    "numero_documento",
    "dv",
    "nombre_suscriptor",
    "direccion",
    "barrio",
    "cod_dane_municipio",
    "municipio",
    "estrato",
    "uso",
    "tipo_productor",
    "estado",
    "fecha_vinculacion",
]


def measure(options: Options) -> dict:
    """Time reading the file and copying its rows as text (median of REPEATS)."""
    path = registry_file(ROWS)
    with bench_database(options, "registry_copy") as url, psycopg.connect(url) as db:
        columns = ", ".join(f"{column} text" for column in COLUMNS)
        db.execute(f"CREATE TABLE bench_registry (id bigserial PRIMARY KEY, {columns})")
        db.commit()
        timings = []
        for _ in range(REPEATS):
            db.execute("TRUNCATE bench_registry")
            db.commit()
            started = time.perf_counter()
            copied = copy_file(db, path)
            db.commit()
            timings.append(time.perf_counter() - started)
        seconds = statistics.median(timings)
    return {
        "rows": copied,
        "columns": len(COLUMNS),
        "seconds": seconds,
        "rows_per_second": rows_per_second(copied, seconds),
        "repeats": REPEATS,
    }


def copy_file(connection, path) -> int:
    statement = f"COPY bench_registry ({', '.join(COLUMNS)}) FROM STDIN"
    copied = 0
    with (
        open(path, encoding="utf-8-sig", newline="") as handle,
        connection.cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
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
