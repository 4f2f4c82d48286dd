"""Loading an import into a customer table that was empty when it began
(PostgreSQL only).

Nothing stored can match a row, so every record is a new customer. The import
drops the word index and the foreign keys of the customer and contact tables
and copies rows straight in as COPY text lines, each batch with the history
records of its customers and contacts. At the end it builds the word index once
and adds the foreign keys back. Adding a foreign key checks every row in one join, where a kept one
queues a deferred check per row for the commit.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from core.imports.bulk import (
    COPY_NULL,
    KeyBlock,
    copy_lines,
    copy_text,
    copy_text_fields,
    drop_foreign_keys,
    drop_index,
    restore_schema,
)
from core.text import sort_key
from customers.models import Contact, Customer
from customers.search import SEARCH_INDEX, build_search_text

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
# The columns after the text ones, the same in both tables.
_CUSTOMER_VALUE_COLUMNS = (
    "municipality_id",
    "zone_id",
    "in_catastro",
    "last_service_date",
    "last_service_amount",
    "advisor_id",
    "notes",
    "created_at",
)
CUSTOMER_COPY_COLUMNS = (
    "id",
    *CUSTOMER_TEXT_FIELDS,
    "search_text",
    "sort_name",
    *_CUSTOMER_VALUE_COLUMNS,
    "updated_at",
)
_HISTORY_COLUMNS = (
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
)
CUSTOMER_HISTORY_COPY_COLUMNS = (
    "id",
    *CUSTOMER_TEXT_FIELDS,
    *_CUSTOMER_VALUE_COLUMNS,
    *_HISTORY_COLUMNS,
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
CONTACT_HISTORY_COPY_COLUMNS = (*CONTACT_COPY_COLUMNS, *_HISTORY_COLUMNS)


# The columns that lists filter and join on. Statistics of the long text columns
# (names, addresses, search text) cost most of an ANALYZE, and the planner uses
# their indexes without them. Autovacuum, where it runs, analyses them later.
ANALYZED_COLUMNS = {
    Customer: (
        "id",
        "person_kind",
        "customer_type",
        "municipality_id",
        "zone_id",
        "advisor_id",
        "in_catastro",
    ),
    Contact: ("id", "customer_id", "is_primary"),
}


def schema_drop() -> list[str]:
    """Drop the word index and the foreign keys of the customer and contact
    tables and return the statements that restore them.

    The b-tree indexes stay. The server updates them while Python parses the
    next rows, where building them after the last row made the import wait
    about 0.4 s longer (100,000 customers). The contact table is empty too,
    because each contact references a customer. It is locked against writers
    like the customer table, so that keys can be reserved in ranges. DROP
    INDEX locks the customer table against readers until the transaction ends,
    which costs nothing while it holds no rows.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"LOCK TABLE {connection.ops.quote_name(Contact._meta.db_table)} "
            "IN SHARE ROW EXCLUSIVE MODE"
        )
    return [
        *drop_index(Customer, SEARCH_INDEX),
        *drop_foreign_keys(Customer),
        *drop_foreign_keys(Contact),
    ]


def schema_restore(statements: list[str]) -> None:
    """Run the statements schema_drop returned and update the planner's
    statistics of ANALYZED_COLUMNS."""
    restore_schema(statements)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, columns in ANALYZED_COLUMNS.items():
            cursor.execute(
                f"ANALYZE {quote(model._meta.db_table)} "
                f"({', '.join(quote(column) for column in columns)})"
            )


@dataclass(frozen=True)
class NewCustomers:
    """A batch of new customers and their primary contacts as COPY text, with
    a `+` history record of each: the lines of CUSTOMER_COPY_COLUMNS,
    CUSTOMER_HISTORY_COPY_COLUMNS, CONTACT_COPY_COLUMNS and
    CONTACT_HISTORY_COPY_COLUMNS, and the number of customers."""

    count: int
    customers: str
    customer_history: str
    contacts: str
    contact_history: str


def encode_new_customers(
    records: list,
    *,
    customer_keys: KeyBlock,
    contact_keys: KeyBlock,
    user_id: int | None,
    when: datetime,
) -> NewCustomers:
    """Format `records` (CustomerRecords of customers not stored yet) as COPY
    text, with keys taken from the blocks. Uses no database, so the import
    runs it in its parsing thread (Importer.encode_batch)."""
    keys = customer_keys.take(len(records))
    stamp = when.isoformat()
    user = COPY_NULL if user_id is None else str(user_id)
    # advisor_id, notes, created_at (and updated_at, or the history fields) are
    # the same on every row.
    customer_tail = f"\t{COPY_NULL}\t\t{stamp}\t{stamp}\n"
    history_tail = f"\t{COPY_NULL}\t\t{stamp}\t{stamp}\t{COPY_NULL}\t+\t{user}\n"
    contacts = []
    lines = []
    history_lines = []
    for key, record in zip(keys, records, strict=True):
        line, history_line = _customer_lines(
            key, record.values, customer_tail, history_tail
        )
        lines.append(line)
        history_lines.append(history_line)
        if record.contact:
            contacts.append((key, record))

    contact_lines = []
    contact_history_lines = []
    contact_history_tail = f"\t{stamp}\t{COPY_NULL}\t+\t{user}\n"
    for contact_key, (customer_key, record) in zip(
        contact_keys.take(len(contacts)), contacts, strict=True
    ):
        line = _contact_line(contact_key, customer_key, record)
        contact_lines.append(line + "\n")
        contact_history_lines.append(line + contact_history_tail)
    return NewCustomers(
        count=len(records),
        customers="".join(lines),
        customer_history="".join(history_lines),
        contacts="".join(contact_lines),
        contact_history="".join(contact_history_lines),
    )


def copy_new_customers(batch: NewCustomers) -> None:
    """COPY a batch encode_new_customers formatted into the customer, contact
    and history tables. The history records go with each batch, so the server
    writes them while Python parses the next batch: written after the last
    row, they would add time that nothing overlaps."""
    copy_lines(Customer, CUSTOMER_COPY_COLUMNS, batch.customers)
    copy_lines(
        Customer.history.model, CUSTOMER_HISTORY_COPY_COLUMNS, batch.customer_history
    )
    if batch.contacts:
        copy_lines(Contact, CONTACT_COPY_COLUMNS, batch.contacts)
        copy_lines(
            Contact.history.model, CONTACT_HISTORY_COPY_COLUMNS, batch.contact_history
        )


def _customer_lines(
    key: int, values: dict, customer_tail: str, history_tail: str
) -> tuple[str, str]:
    """Return a new customer as a COPY text line of CUSTOMER_COPY_COLUMNS and
    its history record as one of CUSTOMER_HISTORY_COPY_COLUMNS. The tails
    contain the columns from advisor_id on."""
    get = values.get
    name = values["name"]
    trade_name = get("trade_name", "")
    address = get("address", "")
    barrio = get("barrio", "")
    email = get("email", "")
    search_text = build_search_text(name, trade_name, address, barrio, email)
    texts = copy_text_fields(
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
        )
    )
    municipality_id = get("municipality_id")
    zone_id = get("zone_id")
    last_date = get("last_service_date")
    amount = get("last_service_amount")
    common = "\t".join(
        (
            COPY_NULL if municipality_id is None else municipality_id,
            COPY_NULL if zone_id is None else str(zone_id),
            "t" if get("in_catastro") else "f",
            COPY_NULL if last_date is None else last_date.isoformat(),
            COPY_NULL if amount is None else str(amount),
        )
    )
    head = f"{key}\t{texts}\t"
    return (
        f"{head}{copy_text(search_text)}\t{copy_text(sort_key(name))}\t"
        f"{common}{customer_tail}",
        f"{head}{common}{history_tail}",
    )


def _contact_line(key: int, customer_key: int, record) -> str:
    """Return a contact as a COPY text line of CONTACT_COPY_COLUMNS, without
    its newline."""
    contact = record.contact
    get = contact.get
    name = get("name") or record.values["name"][:150]
    fields = copy_text_fields(
        (name, get("role", ""), get("phone", ""), get("mobile", ""), "")
    )
    return f"{key}\t{customer_key}\t{fields}\tt"
