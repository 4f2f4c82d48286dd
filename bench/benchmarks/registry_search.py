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

        from subscribers.views import PAGE_SIZE

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
    million as copies of those accounts with new codes, rebuild the trigram
    index as migration 0002 creates it, and ANALYZE."""
    from django.db import connection

    from core.imports import run_import
    from subscribers.importer import WRITE_FIELDS, SubscriberImporter
    from subscribers.models import SubscriberAccount

    run_import(SubscriberImporter(), SAMPLE)
    template = list(SubscriberAccount.objects.values_list(*WRITE_FIELDS))
    code_at = WRITE_FIELDS.index("account_code")
    search_at = WRITE_FIELDS.index("search_text")
    columns = ", ".join(connection.ops.quote_name(field) for field in WRITE_FIELDS)
    statement = f"COPY {SubscriberAccount._meta.db_table} ({columns}) FROM STDIN"
    copies = ACCOUNTS // len(template)
    # Building the trigram index once after the load takes minutes less than
    # updating it row by row during the COPY.
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX subscriber_search_trgm")
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for number in range(1, copies):
            for row in template:
                row = list(row)
                code = row[code_at]
                row[code_at] = copy_code(code, number)
                # search_text starts with the account code.
                row[search_at] = row[code_at] + row[search_at][len(code) :]
                copy.write_row(row)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX subscriber_search_trgm ON subscribers_subscriberaccount "
            "USING gin (search_text gin_trgm_ops)"
        )
        cursor.execute(f"ANALYZE {SubscriberAccount._meta.db_table}")


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
        ("address", "cl 10"),
        ("address", "mz e cs 3 urb ciudad jardin"),
        ("address", "km 4 via melgar"),
        ("address", "conj res balcones del sol"),
        ("barrio", "vda pueblo nuevo"),
        ("barrio", "santa helena"),
    ]


def registry_page(user, query: str):
    """Return the search queryset exactly as the registry list orders and joins it."""
    from subscribers.views import visible_accounts

    return visible_accounts(user).search(query).order_by("account_code")


def first_page(user, query: str) -> int:
    """Read the first page as the list does; return the rows it shows."""
    from subscribers.views import account_page

    return len(account_page(registry_page(user, query), 1).object_list)


def time_queries(user, queries) -> dict:
    """Time the first page (51 rows, the last telling whether a next page
    exists) of every query after a
    warm-up pass; each query's figure is the median of TIMED_PASSES."""
    for _kind, query in queries:
        first_page(user, query)
    timings = {query: [] for _kind, query in queries}
    matches = {}
    for _ in range(TIMED_PASSES):
        for _kind, query in queries:
            started = time.perf_counter()
            matches[query] = first_page(user, query)
            timings[query].append((time.perf_counter() - started) * 1000)
    results = [
        {
            "kind": kind,
            "query": query,
            "matches": matches[query],
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
            "SELECT 1 FROM pg_indexes WHERE indexname = 'subscriber_search_trgm'"
        )
        return cursor.fetchone() is not None


def explain(user, query: str) -> str:
    """Return the plan of the page's key query, the one `account_page` sorts and
    cuts before it reads the page's rows by primary key."""
    from subscribers.views import PAGE_SIZE

    keys = registry_page(user, query).values_list("pk", flat=True)
    return keys[: PAGE_SIZE + 1].explain(analyze=True, buffers=True)


def table(figures: dict, results: dict) -> list[Line]:
    lines = [
        Line("Accounts loaded", number(figures["accounts"])),
        Line(
            "Trigram index subscriber_search_trgm present",
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


def details(figures: dict) -> str:
    parts = [
        "The million accounts are the 20,000-account sample registry, imported with "
        "`SubscriberImporter`, plus 49 copies with new account codes written with "
        f"COPY (load {figures['load_seconds']:.0f} s). Server time is the registry "
        "list's queryset (`subscribers.views.visible_accounts(user).search(q)"
        ".order_by('account_code')`) paginated by "
        f"{figures['page_size']} as the list's `account_page` reads it (one row "
        "more than the page, no COUNT), measured in the benchmark process "
        f"(median of {TIMED_PASSES} runs after a warm-up).\n",
        "| Kind | Query | Rows on page 1 | Director ms | Advisor ms |",
        "|---|---|---:|---:|---:|",
    ]
    advisor_ms = {item["query"]: item["ms"] for item in figures["advisor"]["queries"]}
    for item in figures["director"]["queries"]:
        parts.append(
            f"| {item['kind']} | `{item['query']}` | {number(item['matches'])} | "
            f"{item['ms']:.1f} | {advisor_ms[item['query']]:.1f} |"
        )
    if "slowest_plan" in figures:
        parts += [
            "",
            f"The slowest query missed {TARGET_MS} ms; its plan:",
            "",
            "```",
            figures["slowest_plan"],
            "```",
        ]
    return "\n".join(parts) + "\n"
