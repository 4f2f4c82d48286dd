"""Matching a competitor's list of 10,000 termination requests against a registry of
1,000,000 subscriber accounts on PostgreSQL: the set-based matching alone, and the
whole import of the list as the command runs it."""

import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.harness import Options, bench_database, migrate, setup_django
from bench.report import Line, number

TITLE = "Competitor list matching on PostgreSQL"
NEEDS_POSTGRESQL = True
TARGET_SECONDS = 3.0
REGISTRY_ACCOUNTS = 1_000_000
LIST_ROWS = 10_000
TIMED_PASSES = 3
# DANE codes of the accounts' municipalities; an account code starts with the last
# three digits of its municipality's code.
MUNICIPALITIES = ["73449", "73148", "73352", "73226", "73275", "73268"]


def measure(options: Options) -> dict:
    with (
        bench_database(options, "termination_match") as url,
        tempfile.TemporaryDirectory() as var_dir,
    ):
        migrate(url, Path(var_dir))
        setup_django(url, Path(var_dir))
        from django.db import connection

        print(f"loading {REGISTRY_ACCOUNTS:,} accounts", flush=True)
        started = time.perf_counter()
        accounts = load_registry()
        load_seconds = time.perf_counter() - started

        rows = list_rows(accounts, random.Random(2026))
        list_path = Path(var_dir) / "lista.csv"
        write_list(list_path, rows)

        match_seconds, matched, steps = time_matching(list_path)
        import_seconds, tally = time_import(list_path)
        connection.close()
    return {
        "accounts": REGISTRY_ACCOUNTS,
        "list_rows": LIST_ROWS,
        "load_seconds": load_seconds,
        "match_seconds": match_seconds,
        "matched": matched,
        "step_seconds": steps,
        "import_seconds": import_seconds,
        "tally": tally,
    }


def account_row(index: int) -> tuple:
    dane = MUNICIPALITIES[index % len(MUNICIPALITIES)]
    sequence = index // len(MUNICIPALITIES) + 1
    code = f"{dane[2:]}{sequence:06d}"
    cadastral = f"{dane}01{sequence:012d}".ljust(30, "0")
    return (
        code,
        cadastral,
        str(10_000_000 + index),
        dane,
        f"CL {index % 90} # {index % 70}-{index % 99}",
    )


def load_registry() -> list[tuple]:
    """COPY the accounts in (search text left empty: matching does not use it)."""
    from django.db import connection
    from django.utils import timezone

    from subscribers.models import SubscriberAccount

    table = SubscriberAccount._meta.db_table
    columns = (
        "account_code, cadastral_number, id_type, id_number, check_digit, "
        "check_digit_mismatch, name, address, barrio, municipality_id, use_class, "
        "estrato, producer_type, is_multiuser, unit_count, status, billing_account, "
        "search_text, created_at, updated_at"
    )
    now = timezone.now()
    accounts = []
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for index in range(REGISTRY_ACCOUNTS):
                code, cadastral, id_number, dane, address = account_row(index)
                accounts.append((code, cadastral, id_number, address))
                copy.write_row(
                    (
                        code,
                        cadastral,
                        "CC",
                        id_number,
                        "",
                        False,
                        f"SUSCRIPTOR {index}",
                        address,
                        "CENTRO",
                        dane,
                        "residencial",
                        3,
                        "",
                        False,
                        1,
                        "activo",
                        "",
                        "",
                        now,
                        now,
                    )
                )
        cursor.execute(f"ANALYZE {table}")
    return accounts


def list_rows(accounts: list[tuple], rng: random.Random) -> list[list[str]]:
    """Return a list shaped like the competitors' sample: about half existing codes in
    several formats, some cadastral numbers, the rest unknown codes, and
    repeats."""
    rows = []
    for number_ in range(1, LIST_ROWS + 1):
        code, cadastral, id_number, address = rng.choice(accounts)
        roll = rng.random()
        if roll < 0.45:
            cell = code
        elif roll < 0.52:
            cell = f"{code[:3]}-{code[3:]}"
        elif roll < 0.57:
            cell = cadastral
        elif roll < 0.62 and rows:
            cell = rows[-1][2]
        else:
            # An unknown code filed with an ID the registry does not have.
            cell = f"9{rng.randrange(10**8):08d}"
            id_number = str(50_000_000 + rng.randrange(10**7))
        rows.append(
            [str(number_), "01/10/2026", cell, "Suscriptor", id_number, address]
        )
    return rows


def write_list(path: Path, rows: list[list[str]]) -> None:
    header = "No.;FECHA RADICACIÓN;CÓDIGO CUENTA / CATASTRO;NOMBRE SUSCRIPTOR;CÉDULA / NIT;DIRECCIÓN"
    lines = [header] + [";".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def time_matching(path: Path) -> tuple[float, int, dict]:
    """Time terminations.matching.match_rows over every row of the list, inside
    a transaction as the import runs it (median of TIMED_PASSES)."""
    import csv

    from django.db import transaction

    from terminations.matching import (
        MatchKeys,
        match_rows,
        normalise_address,
        normalise_id,
        parse_row_code,
    )

    with path.open(encoding="utf-8") as handle:
        records = list(csv.DictReader(handle, delimiter=";"))
    keys = [
        MatchKeys(
            code=parse_row_code(record["CÓDIGO CUENTA / CATASTRO"]),
            id_number=normalise_id(record["CÉDULA / NIT"]),
            address=normalise_address(record["DIRECCIÓN"]),
        )
        for record in records
    ]
    timings, matched = [], 0
    for _ in range(TIMED_PASSES):
        with transaction.atomic():
            started = time.perf_counter()
            hits = match_rows(keys)
            timings.append(time.perf_counter() - started)
        matched = sum(1 for hit in hits if hit)
    return statistics.median(timings), matched, time_lookups(keys)


def time_lookups(keys) -> dict:
    """Time each registry lookup on its own, with every key of the list."""
    from django.db import transaction

    from terminations.matching import _lookup

    values = {
        "account_code": {key.code.account_code for key in keys},
        "cadastral_number": {key.code.cadastral_number for key in keys},
        "id_number": {key.id_number for key in keys},
    }
    steps = {}
    with transaction.atomic():
        for field, keys_of_field in values.items():
            started = time.perf_counter()
            _lookup(field, keys_of_field)
            steps[field] = time.perf_counter() - started
    return steps


def time_import(path: Path) -> tuple[float, dict]:
    """Time the whole import of the list (read, validate, match, write)."""
    from subscribers.models import Competitor
    from terminations.services import request_list_create, request_list_import

    competitor = Competitor.objects.create(
        name="SERVIASEO ALTO MAGDALENA", nit="901318645", check_digit="5"
    )
    # The generated rows are filed on 01/10/2026: receive the list after that day
    # and within the filing-age limit, on whatever date the benchmark runs.
    request_list = request_list_create(
        competitor=competitor, path=path, received_on=date(2026, 11, 3)
    )
    started = time.perf_counter()
    _report, tally = request_list_import(request_list=request_list)
    return time.perf_counter() - started, tally


def table(figures: dict, results: dict) -> list[Line]:
    return [
        Line("Registry accounts", number(figures["accounts"])),
        Line("List rows", number(figures["list_rows"])),
        Line(
            f"Matching alone (median of {TIMED_PASSES})",
            f"{figures['match_seconds']:.2f} s",
            f"< {TARGET_SECONDS:.0f} s",
            figures["match_seconds"] < TARGET_SECONDS,
        ),
        Line("Rows matched", number(figures["matched"])),
        *(
            Line(f"Lookup by {field}, all keys at once", f"{seconds:.2f} s")
            for field, seconds in figures["step_seconds"].items()
        ),
        Line(
            "Whole import (read, validate, match, write with history)",
            f"{figures['import_seconds']:.2f} s",
            f"< {TARGET_SECONDS:.0f} s",
            figures["import_seconds"] < TARGET_SECONDS,
        ),
        Line("Peak memory of the process", f"{figures['peak_rss_mb']:.0f} MiB"),
    ]


def details(figures: dict) -> str:
    tally = ", ".join(
        f"{key} {value:,}" for key, value in sorted(figures["tally"].items())
    )
    return (
        "The matching joins a temporary table of the list's keys (filled by COPY) "
        "to the registry, once by account code, once by cadastral number and once "
        "by ID, per batch of 2,000 rows for the import. Import tally: "
        f"{tally}.\n"
    )
