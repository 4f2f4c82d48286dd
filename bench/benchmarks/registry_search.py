"""Registry search with 1,000,000 accounts on PostgreSQL: server time of the first
page of the registry list, as the list view builds it."""

import math
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import Options, bench_database, migrate, setup_django
from bench.registry_file import SAMPLE, copy_code
from bench.report import Line, number

TITLE = "Registry search on PostgreSQL"
NEEDS_POSTGRESQL = True
ACCOUNTS = 1_000_000
TARGET_MS = 50
TIMED_PASSES = 3
# A número predial of the sample, shared by its 50 copies, and its first 10
# digits, which start 142 numbers of the sample (7,100 of the million accounts).
CADASTRAL_NUMBER = "731480106001001250020000000000"
CADASTRAL_PREFIX = CADASTRAL_NUMBER[:10]
# One zone per municipality group, each worked by one advisor.
ZONES = {
    "Melgar": ["73449"],
    "Sumapaz": ["73148", "73352", "73226", "73873"],
    "Espinal y Flandes": ["73268", "73275", "73770", "25307"],
}


def measure(options: Options) -> dict:
    with (
        bench_database(options, "registry_search") as url,
        tempfile.TemporaryDirectory() as var_dir,
    ):
        migrate(url, Path(var_dir))
        setup_django(url, Path(var_dir))
        from django.db import connection

        from subscribers.pages import PAGE_SIZE

        director, advisor = create_users()
        print(f"loading {ACCOUNTS:,} accounts", flush=True)
        started = time.perf_counter()
        load_accounts()
        load_seconds = time.perf_counter() - started

        queries = search_queries()
        figures = {
            "accounts": account_count(),
            "page_size": PAGE_SIZE,
            "load_seconds": load_seconds,
            "trigram_index": trigram_index_exists(),
            "director": time_queries(director, queries),
            "advisor": time_queries(advisor, queries),
        }
        figures["cadastral_plan"] = explain(director, CADASTRAL_PREFIX)
        slowest = figures["director"]["queries"][0]
        if slowest["ms"] > TARGET_MS:
            figures["slowest_plan"] = explain(director, slowest["query"])
        connection.close()
    return figures


def create_users():
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import Role
    from zones.models import Zone

    director = User.objects.create_user("director", first_name="Diana")
    director.groups.add(Group.objects.get(name=Role.DIRECTOR.value))
    advisor = User.objects.create_user("asesor", first_name="Asesor")
    advisor.groups.add(Group.objects.get(name=Role.ADVISOR.value))
    for name, codes in ZONES.items():
        zone = Zone.objects.create(name=name)
        zone.municipalities.set(codes)
        if name == "Sumapaz":
            zone.advisors.add(advisor)
    return director, advisor


def load_accounts() -> None:
    """Import the sample registry with our importer, then COPY the rest of the
    million as copies of those accounts with new codes, build the secondary
    indexes once over the loaded rows (as the import of an empty registry
    does), and VACUUM ANALYZE."""
    from django.db import connection, transaction

    from core.imports import run_import
    from core.imports.bulk import drop_secondary_indexes, restore_schema
    from subscribers.importer import WRITE_FIELDS, SubscriberImporter
    from subscribers.models import SubscriberAccount

    run_import(SubscriberImporter(), SAMPLE)
    template = list(SubscriberAccount.objects.values_list(*WRITE_FIELDS))
    code_at = WRITE_FIELDS.index("account_code")
    table = SubscriberAccount._meta.db_table
    columns = ", ".join(connection.ops.quote_name(field) for field in WRITE_FIELDS)
    statement = f"COPY {table} ({columns}) FROM STDIN"
    copies = ACCOUNTS // len(template)
    # Building the indexes once after the load takes minutes less than
    # updating them row by row during the COPY.
    with transaction.atomic():
        restore = drop_secondary_indexes(SubscriberAccount)
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for number in range(1, copies):
                for row in template:
                    row = list(row)
                    row[code_at] = copy_code(row[code_at], number)
                    copy.write_row(row)
        restore_schema(restore)
    # VACUUM sets the visibility map that index-only scans need. Autovacuum
    # does the same after a large import (PostgreSQL 13 and later vacuum a
    # table after inserts too), but not yet right after the COPY.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")


def account_count() -> int:
    from subscribers.models import SubscriberAccount

    return SubscriberAccount.objects.count()


def search_queries() -> list[tuple[str, str]]:
    """Return (kind, query) pairs a billing clerk would type; codes and documents
    are taken from the sample so that they find a match."""
    return [
        ("name", "garcia"),
        ("name", "García"),
        ("name", "GARCÍA"),
        ("name", "jose garcia"),
        ("name", "maría rodríguez"),
        ("name", "munoz"),
        ("name", "peña lopez"),
        ("name", "lucero diaz portilla"),
        ("name", "sucesion"),
        ("name", "sin informacion"),
        ("name", "hogar comunitario altos del sol"),
        ("name", "comidas rapidas"),
        ("account", "449000663"),
        ("account", "449-000663"),
        ("account", "449 000 663"),
        ("account copy", "44900066307"),
        ("cédula", "1019968196"),
        ("cédula dotted", "1.019.968.196"),
        ("NIT with DV", "901765545-3"),
        ("NIT dotted", "901.765.545"),
        ("cadastral", CADASTRAL_NUMBER),
        ("cadastral prefix", CADASTRAL_PREFIX),
        ("address", "cl 10"),
        ("address", "mz e cs 3 urb ciudad jardin"),
        ("address", "km 4 via melgar"),
        ("street word", "calle"),
        ("street word prefix", "carre"),
        ("street word prefix", "carre portilla"),
        ("address", "cll 10 no 5"),
        ("address", "conj res balcones del sol"),
        ("barrio", "vda pueblo nuevo"),
        ("barrio", "santa helena"),
    ]


def first_page(user, query: str):
    """Read the first page of the registry list searched for `query`, as the
    list view does; return the page."""
    from django.http import QueryDict

    from subscribers.views import list_page

    parameters = QueryDict(mutable=True)
    parameters["q"] = query
    _form, page = list_page(user, parameters)
    return page


def route(page) -> str:
    return "broad" if page.scattered else "exact"


def time_queries(user, queries) -> dict:
    """Time the first page of every query after a warm-up pass. Each query's
    figure is the median of TIMED_PASSES."""
    for _kind, query in queries:
        first_page(user, query)
    timings = {query: [] for _kind, query in queries}
    pages = {}
    for _ in range(TIMED_PASSES):
        for _kind, query in queries:
            started = time.perf_counter()
            pages[query] = first_page(user, query)
            timings[query].append((time.perf_counter() - started) * 1000)
    results = [
        {
            "kind": kind,
            "query": query,
            "matches": len(pages[query].object_list),
            "total": pages[query].total,
            "route": route(pages[query]),
            "ms": statistics.median(timings[query]),
        }
        for kind, query in queries
    ]
    values = sorted(result["ms"] for result in results)
    return {
        "median_ms": statistics.median(values),
        "p95_ms": values[math.ceil(0.95 * len(values)) - 1],
        "max_ms": values[-1],
        "queries": sorted(results, key=lambda result: -result["ms"]),
    }


def trigram_index_exists() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'subscriber_search_compact_trgm'"
        )
        return cursor.fetchone() is not None


def explain(user, query: str) -> str:
    """Return the plans of the statements that read the first page of `query`,
    run again with EXPLAIN (ANALYZE, BUFFERS)."""
    from django.db import connection

    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        first_page(user, query)
    plans = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            plans.append(f"-- {sql[:100]}...\n{plan}")
    return "\n\n".join(plans)


def table(figures: dict, results: dict) -> list[Line]:
    lines = [
        Line("Accounts loaded", number(figures["accounts"])),
        Line(
            "Trigram index subscriber_search_compact_trgm present",
            str(figures["trigram_index"]),
        ),
    ]
    for role in ("director", "advisor"):
        timing = figures[role]
        who = {
            "director": "Director (sees all)",
            "advisor": "Advisor (one zone, 4 of 9 municipalities)",
        }[role]
        count = len(timing["queries"])
        lines += [
            Line(
                f"{who}: median over {count} queries",
                f"{timing['median_ms']:.1f} ms",
                f"< {TARGET_MS} ms",
                timing["median_ms"] < TARGET_MS,
            ),
            Line(
                f"{who}: p95",
                f"{timing['p95_ms']:.1f} ms",
                f"< {TARGET_MS} ms",
                timing["p95_ms"] < TARGET_MS,
            ),
            Line(f"{who}: slowest", f"{timing['max_ms']:.1f} ms"),
        ]
    lines.append(
        Line("Peak memory of the process", f"{figures['peak_rss_mb']:.0f} MiB")
    )
    return lines


def outcome(item: dict) -> str:
    total = "" if item["total"] is None else number(item["total"])
    return f"{number(item['matches'])}, {total or '—'}, {item['route']}"


def details(figures: dict) -> str:
    parts = [
        "The million accounts are the 20,000-account sample registry, imported with "
        "`SubscriberImporter`, plus 49 copies with new account codes written with "
        "COPY, then VACUUM ANALYZE as autovacuum would run it (load "
        f"{figures['load_seconds']:.0f} s). Server time is the first page of the "
        "registry list searched for the query, read as the list view reads it "
        f"(`subscribers.views.list_page`, {figures['page_size']} rows), measured "
        f"in the benchmark process (median of {TIMED_PASSES} runs after a "
        "warm-up). The route is the one `subscribers.pages` chose: exact (every "
        "match read, sorted by code and counted) or broad (the walk index read "
        "in search order until a page turns up, not counted).\n",
        "| Kind | Query | Director: rows, total, route | Director ms "
        "| Advisor: rows, total, route | Advisor ms |",
        "|---|---|---|---:|---|---:|",
    ]
    advisor = {item["query"]: item for item in figures["advisor"]["queries"]}
    for item in figures["director"]["queries"]:
        other = advisor[item["query"]]
        parts.append(
            f"| {item['kind']} | `{item['query']}` | {outcome(item)} | "
            f"{item['ms']:.1f} | {outcome(other)} | {other['ms']:.1f} |"
        )
    if "cadastral_plan" in figures:
        parts += [
            "",
            f"Plans of the cadastral prefix search `{CADASTRAL_PREFIX}`:",
            "",
            "```",
            figures["cadastral_plan"],
            "```",
        ]
    if "slowest_plan" in figures:
        parts += [
            "",
            f"The slowest query missed {TARGET_MS} ms; its plans:",
            "",
            "```",
            figures["slowest_plan"],
            "```",
        ]
    return "\n".join(parts) + "\n"
