"""Loading an import into a customer table that was empty when it began
(PostgreSQL only).

Nothing stored can match a row, so every record is a new customer. The import
drops the secondary indexes and foreign keys of the customer and contact tables
and copies rows straight in as COPY text lines. At the end it writes one history
record per customer and contact, builds the indexes once and adds the foreign
keys back. Adding a foreign key checks every row in one join, where a kept one
queues a deferred check per row for the commit.
"""

from datetime import datetime

from django.db import connection

from core.imports.bulk import (
    COPY_NULL,
    copy_lines,
    copy_text_fields,
    drop_foreign_keys,
    drop_secondary_indexes,
    history_insert_table,
    reserve_key_block,
    restore_schema,
)
from core.text import fold
from customers.models import Contact, Customer

# Customer columns in the order of the COPY lines: the text columns first.
CUSTOMER_TEXT_FIELDS = (
    "id_type",
    "id_number",
    "check_digit",
    "person_kind",
    "name",
    "trade_name",
    "customer_type",
    "address",
    "barrio",
    "phone",
    "mobile",
    "email",
)
CUSTOMER_COPY_COLUMNS = (
    "id",
    *CUSTOMER_TEXT_FIELDS,
    "search_text",
    "municipality_id",
    "zone_id",
    "in_catastro",
    "last_service_date",
    "last_service_amount",
    "advisor_id",
    "notes",
    "created_at",
    "updated_at",
)
CONTACT_COPY_COLUMNS = (
    "id",
    "customer_id",
    "name",
    "role",
    "phone",
    "mobile",
    "email",
    "is_primary",
)


def schema_drop() -> list[str]:
    """Drop the secondary indexes and foreign keys of the customer and contact
    tables and return the statements that restore them.

    The contact table is empty too, because each contact references a customer.
    It is locked against writers like the customer table, so that keys can be
    reserved in ranges. DROP INDEX locks both tables against readers until the
    transaction ends, which costs nothing while they hold no rows.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"LOCK TABLE {connection.ops.quote_name(Contact._meta.db_table)} "
            "IN SHARE ROW EXCLUSIVE MODE"
        )
    return [
        *drop_secondary_indexes(Customer),
        *drop_secondary_indexes(Contact),
        *drop_foreign_keys(Customer),
        *drop_foreign_keys(Contact),
    ]


def schema_restore(
    statements: list[str], *, user_id: int | None, when: datetime
) -> None:
    """Write a `+` history record for every customer and contact, then run the
    statements schema_drop returned and update the planner's statistics.

    Every stored customer and contact was created by this import, because the
    customer table was empty and locked against writers when it began.
    """
    history_insert_table(Customer, history_type="+", user_id=user_id, when=when)
    history_insert_table(Contact, history_type="+", user_id=user_id, when=when)
    restore_schema(statements)
    with connection.cursor() as cursor:
        for model in (Customer, Contact):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def copy_new_customers(records: list, *, when: datetime) -> int:
    """COPY `records` (CustomerRecords of customers not stored yet) and their
    primary contacts into the tables, and return the number of contacts."""
    keys = reserve_key_block(Customer, len(records))
    stamp = when.isoformat()
    # advisor_id, notes, created_at and updated_at are the same on every row.
    tail = f"\t{COPY_NULL}\t\t{stamp}\t{stamp}\n"
    contacts = []
    lines = []
    for key, record in zip(keys, records, strict=True):
        lines.append(_customer_line(key, record.values, tail))
        if record.contact:
            contacts.append((key, record))
    copy_lines(Customer, CUSTOMER_COPY_COLUMNS, lines)

    if contacts:
        contact_keys = reserve_key_block(Contact, len(contacts))
        copy_lines(
            Contact,
            CONTACT_COPY_COLUMNS,
            (
                _contact_line(contact_key, customer_key, record)
                for contact_key, (customer_key, record) in zip(
                    contact_keys, contacts, strict=True
                )
            ),
        )
    return len(contacts)


def _customer_line(key: int, values: dict, tail: str) -> str:
    """Return a new customer as a COPY text line of CUSTOMER_COPY_COLUMNS, up to
    `tail`, which contains the columns after last_service_amount."""
    get = values.get
    name = values["name"]
    trade_name = get("trade_name", "")
    address = get("address", "")
    barrio = get("barrio", "")
    email = get("email", "")
    search_text = fold(
        " ".join(part for part in (name, trade_name, address, barrio, email) if part)
    )
    municipality_id = get("municipality_id")
    zone_id = get("zone_id")
    last_date = get("last_service_date")
    amount = get("last_service_amount")
    return (
        "\t".join(
            (
                str(key),
                copy_text_fields(
                    (
                        values["id_type"],
                        values["id_number"],
                        values["check_digit"],
                        values["person_kind"],
                        name,
                        trade_name,
                        get("customer_type", Customer.CustomerType.NEW),
                        address,
                        barrio,
                        get("phone", ""),
                        get("mobile", ""),
                        email,
                        search_text,
                    )
                ),
                COPY_NULL if municipality_id is None else municipality_id,
                COPY_NULL if zone_id is None else str(zone_id),
                "t" if get("in_catastro") else "f",
                COPY_NULL if last_date is None else last_date.isoformat(),
                COPY_NULL if amount is None else str(amount),
            )
        )
        + tail
    )


def _contact_line(key: int, customer_key: int, record) -> str:
    contact = record.contact
    get = contact.get
    name = get("name") or record.values["name"][:150]
    fields = copy_text_fields(
        (name, get("role", ""), get("phone", ""), get("mobile", ""), "")
    )
    return f"{key}\t{customer_key}\t{fields}\tt\n"
