"""Customer search with 100,000 customers on PostgreSQL: server time of the first
page of the customer list, as the list view builds it."""

import math
import statistics
import tempfile
import time
from pathlib import Path

from bench.customer_file import ZONES, CustomerGenerator, CustomerRecord
from bench.harness import Options, bench_database, migrate, setup_django
from bench.report import Line, number

TITLE = "Customer search on PostgreSQL"
NEEDS_POSTGRESQL = True
TARGET_MS = 50
ADVISORS = 8
TIMED_PASSES = 3


def measure(options: Options) -> dict:
    with (
        bench_database(options, "search") as url,
        tempfile.TemporaryDirectory() as var_dir,
    ):
        migrate(url, Path(var_dir))
        setup_django(url, Path(var_dir))
        from django.db import connection

        from customers.views import PAGE_SIZE

        print(f"loading {options.rows:,} customers", flush=True)
        started = time.perf_counter()
        records = list(CustomerGenerator(seed=2026).records(options.rows))
        director, advisors = create_users()
        load_customers(records, advisors)
        load_seconds = time.perf_counter() - started

        queries = search_queries(records)
        figures = {
            "customers": len(records),
            "page_size": PAGE_SIZE,
            "load_seconds": load_seconds,
            "word_index": word_index_exists(),
            "director": time_queries(director, queries),
            "advisor": time_queries(advisors[0], queries),
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

    director = User.objects.create_user("director", first_name="Diana")
    director.groups.add(Group.objects.get(name=Role.DIRECTOR.value))
    advisor_group = Group.objects.get(name=Role.ADVISOR.value)
    advisors = []
    for index in range(ADVISORS):
        advisor = User.objects.create_user(f"asesor{index}", first_name="Asesor")
        advisor.groups.add(advisor_group)
        advisors.append(advisor)
    return director, advisors


def load_customers(records: list[CustomerRecord], advisors) -> None:
    """Insert the customers with COPY, every column as Django would save it,
    search text and sort key included (Customer.fill_derived_fields), then
    ANALYZE."""
    from django.db import connection

    from customers.models import Customer
    from zones.models import Zone

    zones = {name: Zone.objects.create(name=name) for name, _weight in ZONES}
    fields = [
        field for field in Customer._meta.concrete_fields if not field.primary_key
    ]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    statement = f"COPY {Customer._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for index, record in enumerate(records):
            customer = build_customer(Customer, record, zones, advisors, index)
            copy.write_row(
                [
                    field.get_db_prep_save(field.pre_save(customer, True), connection)
                    for field in fields
                ]
            )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")


def build_customer(model, record: CustomerRecord, zones, advisors, index):
    customer = model(
        id_type="NIT" if record.is_company or record.check_digit else "CC",
        id_number=record.id_number,
        check_digit=record.check_digit,
        person_kind="juridica" if record.is_company else "natural",
        name=record.name,
        customer_type=record.customer_type.lower(),
        address=record.address,
        barrio=record.barrio,
        municipality_id=record.dane_code,
        phone="+57" + record.phone if record.phone else "",
        mobile="+57" + record.mobile if record.mobile else "",
        email=record.email,
        zone=zones[record.zone],
        advisor=advisors[index % len(advisors)],
        last_service_date=record.last_service_date,
        last_service_amount=record.last_service_amount,
    )
    customer.fill_derived_fields()
    return customer


def search_queries(records: list[CustomerRecord]) -> list[tuple[str, str]]:
    """Return (kind, query) pairs a sales team would type, values taken from the
    loaded customers so that IDs and phones find a match."""
    companies = [record for record in records if record.is_company]
    persons = [record for record in records if not record.is_company]
    first, second = companies[1000], companies[-1000]
    person = persons[len(persons) // 2]
    mobile = next(record.mobile for record in records[70_000:] if record.mobile)
    landline = next(record.phone for record in records[80_000:] if record.phone)
    urban = next(
        record for record in records[90_000:] if record.address.startswith("Calle")
    )
    street = " ".join(urban.address.split()[:2])

    queries = [
        ("name", "garcia"),
        ("name", "García"),
        ("name", "GARCÍA"),
        ("name", "jose garcia"),
        ("name", "maría rodríguez"),
        ("name", "munoz"),
        ("name", "peña lopez"),
        ("name", person.name),
        ("name", "hotel"),
        ("name", "condominio campestre"),
        ("name", "drogueria"),
        ("name", "panaderia y cafeteria"),
        ("name", second.name),
    ]
    for company in (first, second):
        dotted = f"{int(company.id_number):,}".replace(",", ".")
        queries += [
            ("NIT plain", company.id_number),
            ("NIT dotted with DV", f"{dotted}-{company.check_digit}"),
            ("NIT with DV", f"{company.id_number}-{company.check_digit}"),
        ]
    dotted_cedula = f"{int(person.id_number):,}".replace(",", ".")
    queries += [
        ("cédula dotted", dotted_cedula),
        ("mobile", mobile),
        ("mobile spaced", f"{mobile[:3]} {mobile[3:6]} {mobile[6:]}"),
        ("landline", landline),
        ("address", street.lower()),
        ("address", "km 4 via melgar"),
        ("address", "vereda cuatro esquinas"),
        ("barrio", "los cambulos"),
        ("e-mail", second.email.split("@")[1].split(".")[0]),
    ]
    return queries


def customer_page(user, query: str):
    """Return the search queryset exactly as the customer list joins it."""
    from customers.views import visible_customers

    return visible_customers(user).search(query)


def first_page(user, query: str) -> int:
    """Read the first page as the customer list does, and return the number of
    matches."""
    from customers.views import name_ordered_page

    page = name_ordered_page(customer_page(user, query), searched=True, number=1)
    list(page.object_list)
    return page.paginator.count


def time_queries(user, queries) -> dict:
    """Time the first page (COUNT plus 50 rows) of every query after a warm-up pass;
    each query's figure is the median of TIMED_PASSES."""
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


def word_index_exists() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'customer_search_words'"
        )
        return cursor.fetchone() is not None


def explain(user, query: str) -> str:
    from django.db import connection

    from customers.views import PAGE_SIZE

    queryset = customer_page(user, query)
    ordered = queryset.in_name_order(matches=queryset.count())
    page_plan = ordered[:PAGE_SIZE].explain(analyze=True, buffers=True)
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM ({sql}) AS page", params
        )
        count_plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"-- first page\n{page_plan}\n\n-- count\n{count_plan}"


def table(figures: dict, results: dict) -> list[Line]:
    lines = [
        Line("Customers loaded", number(figures["customers"])),
        Line("Word index customer_search_words present", str(figures["word_index"])),
    ]
    for role in ("director", "advisor"):
        timing = figures[role]
        who = {
            "director": "Director (sees all)",
            "advisor": f"Advisor (1/{ADVISORS} of the customers)",
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
        "Server time is the customer list's first page: "
        "`customers.views.visible_customers(user).search(q)` (`visible_to` plus "
        "`select_related`) read through `customers.views.name_ordered_page`, "
        f"which pages by {figures['page_size']} with Django's Paginator: the "
        "COUNT plus the first page, measured in the benchmark process (median "
        f"of {TIMED_PASSES} runs after a warm-up).\n",
        "| Kind | Query | Matches | Director ms | Advisor ms |",
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
            f"The slowest query missed {TARGET_MS} ms; its plans:",
            "",
            "```",
            figures["slowest_plan"],
            "```",
        ]
    return "\n".join(parts) + "\n"
