"""Matching of a competitor's rows to our subscriber registry, in bulk.

A row is matched by its account code, then by the 30-digit cadastral number when the
competitor wrote that instead (only when exactly one account has it), then by the
subscriber's ID together with the address. A cadastral number that Excel stored as
a number has lost its last digits, so its row is never matched, not even by ID and
address, because that would pin the request on an account the competitor did not
name. Such a row waits for a person to assign the account. Each step is one set-based query per
batch: on PostgreSQL the keys travel by COPY into a temporary table joined to the
registry, elsewhere they go in chunked `IN` lists.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from core.text import STREET_WORDS, fold
from subscribers.models import SubscriberAccount

ACCOUNT_CODE_LENGTH = 9
CADASTRAL_NUMBER_LENGTH = 30
# Excel keeps 15 significant digits of a number, so a longer code stored as a
# number cell has lost its tail.
EXCEL_SIGNIFICANT_DIGITS = 15
IN_CHUNK = 900

_SCIENTIFIC = re.compile(r"\s*(\d+)(?:[.,](\d+))?[eE]\+?(\d+)\s*")
_NON_DIGITS = re.compile(r"\D")
_ADDRESS_WORDS = {
    **STREET_WORDS,
    "apto": "ap",
    "apartamento": "ap",
    "manzana": "mz",
    "casa": "cs",
}


@dataclass(frozen=True)
class RowCode:
    """The cleaned content of a row's code cell. A truncated cadastral number
    holds only the leading digits Excel kept."""

    account_code: str = ""
    cadastral_number: str = ""
    truncated: bool = False

    @property
    def key(self) -> str:
        return self.account_code or self.cadastral_number

    @property
    def display(self) -> str:
        """The key as the preview shows it, with «…» after a truncated number."""
        return f"{self.key}…" if self.truncated else self.key


@dataclass(frozen=True)
class MatchKeys:
    """The cleaned keys of one row."""

    code: RowCode
    id_number: str
    address: str


@dataclass(frozen=True)
class AccountHit:
    """The registry account a row matched and how."""

    account_id: int
    account_code: str
    status: str
    method: str


def parse_row_code(raw) -> RowCode:
    """Clean a code cell: text `449001234`, a number cell, `449-001234`, padded
    with spaces, or a 30-digit cadastral number (text, or a number that lost
    digits beyond Excel's fifteen, also as text in scientific notation).

    A truncated number keeps only the digits Excel kept, because the rest of
    the number's decimal expansion is noise from the floating-point value."""
    if isinstance(raw, bool) or raw is None:
        return RowCode()
    if isinstance(raw, float):
        digits = f"{raw:.0f}"
        if len(digits) > EXCEL_SIGNIFICANT_DIGITS:
            return RowCode(cadastral_number=excel_digits(raw), truncated=True)
    elif isinstance(raw, int):
        # openpyxl returns an int only for a number the file writes with every
        # digit, without a point or an exponent. Excel writes a long number
        # with an exponent, which openpyxl reads as a float.
        digits = str(raw)
    elif scientific := _SCIENTIFIC.fullmatch(str(raw)):
        # A CSV saved from Excel keeps a long number as Excel showed it
        # («7.34490102001202E+29»), without the digits past the ones shown.
        whole, fraction, exponent = scientific.groups()
        significant = whole + (fraction or "")
        length = len(whole) + int(exponent)
        if len(significant) < length:
            # The zeros that pad the digits shown to Excel's fifteen are digits
            # of the number Excel kept, as in excel_digits.
            kept_digits = significant.ljust(EXCEL_SIGNIFICANT_DIGITS, "0")[:length]
            return RowCode(cadastral_number=kept_digits, truncated=True)
        digits = significant[:length]
    else:
        digits = _NON_DIGITS.sub("", str(raw))
    if len(digits) == CADASTRAL_NUMBER_LENGTH:
        return RowCode(cadastral_number=digits)
    if digits and len(digits) <= ACCOUNT_CODE_LENGTH:
        return RowCode(account_code=digits.zfill(ACCOUNT_CODE_LENGTH))
    return RowCode(account_code=digits)


def excel_digits(number: float) -> str:
    """Return the leading digits of a long number cell that Excel kept: the
    shortest decimal that reads back as the cell's value, cut or padded with
    zeros to EXCEL_SIGNIFICANT_DIGITS (7.314800050000002e+29 →
    `731480005000000`).

    Excel rounds a typed number to 15 significant digits, so the zeros that
    pad a shorter decimal are digits of its value. The float's full expansion
    (`{number:.0f}`) would add digits that are only binary rounding noise."""
    significant = Decimal(repr(abs(number))).normalize().as_tuple().digits
    digits = "".join(str(digit) for digit in significant)
    return digits[:EXCEL_SIGNIFICANT_DIGITS].ljust(EXCEL_SIGNIFICANT_DIGITS, "0")


def normalise_id(text: str) -> str:
    """Return the document number's digits without a NIT check digit written after
    a dash (`900.123.456-7` → `900123456`)."""
    text = text.strip()
    if "-" in text:
        text = text.rsplit("-", 1)[0]
    return _NON_DIGITS.sub("", text)


def normalise_address(text: str) -> str:
    """Fold an address and spell its street words one way (`Calle`, `CLL`, `Cl.`
    → `cl`), so retyped addresses compare equal."""
    words = re.sub(r"[^0-9a-z#]+", " ", fold(text).replace("#", " # ")).split()
    return " ".join(_ADDRESS_WORDS.get(word, word) for word in words)


def match_rows(rows: Sequence[MatchKeys]) -> list[AccountHit | None]:
    """Return the account each row matched, in order, or None."""
    hits: list[AccountHit | None] = [None] * len(rows)

    by_code = _lookup("account_code", {row.code.account_code for row in rows})
    for position, row in enumerate(rows):
        accounts = by_code.get(row.code.account_code) if row.code.account_code else None
        if accounts:
            hits[position] = _hit(accounts[0], "cuenta")

    pending = [
        position
        for position, row in enumerate(rows)
        if hits[position] is None
        and row.code.cadastral_number
        and not row.code.truncated
    ]
    by_cadastral = _lookup(
        "cadastral_number",
        {rows[position].code.cadastral_number for position in pending},
    )
    for position in pending:
        accounts = by_cadastral.get(rows[position].code.cadastral_number, [])
        chosen = _pick(accounts, rows[position])
        if chosen is not None:
            hits[position] = _hit(chosen, "predial")

    pending = [
        position
        for position, row in enumerate(rows)
        if hits[position] is None
        and not row.code.truncated
        and row.id_number
        and row.address
    ]
    by_id = _lookup("id_number", {rows[position].id_number for position in pending})
    for position in pending:
        row = rows[position]
        same_address = [
            account
            for account in by_id.get(row.id_number, [])
            if normalise_address(account[4]) == row.address
        ]
        if len(same_address) == 1:
            hits[position] = _hit(same_address[0], "documento")
    return hits


def _pick(accounts: list[tuple], row: MatchKeys) -> tuple | None:
    """Return the account among those sharing a cadastral number: the only one,
    or else the only one with the row's ID."""
    if len(accounts) == 1:
        return accounts[0]
    same_id = [account for account in accounts if account[3] == row.id_number]
    return same_id[0] if len(same_id) == 1 else None


def _hit(account: tuple, method: str) -> AccountHit:
    return AccountHit(
        account_id=account[0], account_code=account[1], status=account[2], method=method
    )


# Columns each lookup returns, by position: id, code, status, ID number, address.
_FIELDS = ("id", "account_code", "status", "id_number", "address")


def _lookup(field: str, values: Iterable[str]) -> dict[str, list[tuple]]:
    """Return the registry accounts whose `field` is one of `values`, grouped by
    that value."""
    values = sorted(value for value in values if value)
    if not values:
        return {}
    if connection.vendor == "postgresql":
        rows = _lookup_postgresql(field, values)
    else:
        rows = []
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start : start + IN_CHUNK]
            rows += SubscriberAccount.objects.filter(
                **{f"{field}__in": chunk}
            ).values_list(field, *_FIELDS)
    grouped = defaultdict(list)
    for key, *account in rows:
        grouped[key].append(tuple(account))
    return grouped


def _lookup_postgresql(field: str, values: list[str]) -> list[tuple]:
    table = SubscriberAccount._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(f"a.{quote(name)}" for name in _FIELDS)
    with connection.cursor() as cursor:
        # One temporary table per connection, emptied before each use, spares the
        # catalog a CREATE and DROP on every batch.
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS termination_match_keys (key text)"
        )
        cursor.execute("TRUNCATE termination_match_keys")
        with cursor.cursor.copy("COPY termination_match_keys (key) FROM STDIN") as copy:
            for value in values:
                copy.write_row((value,))
        cursor.execute(
            f"SELECT k.key, {columns} FROM termination_match_keys k "
            f"JOIN {quote(table)} a ON a.{quote(field)} = k.key"
        )
        return cursor.fetchall()
