"""Gapless consecutive codes for numbered documents (quotations, service orders,
certificates, desistimientos): one series per document kind and year.

`number_take` must run inside the transaction that saves the numbered document. It
locks the series row (SELECT ... FOR UPDATE on PostgreSQL) until that transaction
ends, so concurrent issuers wait for each other, and a failure after the number was
taken rolls the number back with everything else: no code repeats and none is lost.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from core.models import DocumentSequence


@dataclass(frozen=True)
class TakenNumber:
    """A number taken from a series and the code it prints as."""

    kind: str
    year: int
    number: int
    code: str


def number_format(kind: str) -> str:
    """Return the code format of `kind` from settings.DOCUMENT_NUMBER_FORMATS."""
    formats = settings.DOCUMENT_NUMBER_FORMATS
    if kind not in formats:
        raise ImproperlyConfigured(
            f"No number format for document kind {kind!r}; add it to "
            f"DOCUMENT_NUMBER_FORMATS (known kinds: {', '.join(sorted(formats))})."
        )
    return formats[kind]


def format_code(template: str, *, year: int, number: int) -> str:
    """Render a code such as `COT-{year}-{number:05d}`; raise on a broken format."""
    try:
        code = template.format(year=year, number=number)
    except (KeyError, IndexError, ValueError) as error:
        raise ImproperlyConfigured(
            f"Number format {template!r} is invalid ({error}); use the fields "
            "{year} and {number}, e.g. COT-{year}-{number:05d}."
        ) from None
    if str(number) not in code:
        raise ImproperlyConfigured(
            f"Number format {template!r} does not print the number; include "
            "{number}, e.g. COT-{year}-{number:05d}."
        )
    return code


def number_take(*, kind: str, year: int) -> TakenNumber:
    """Take the next number of the `kind` series for `year` and return its code.

    Must be called inside `transaction.atomic()`: the series stays locked until the
    caller's transaction commits or rolls back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_take must run inside transaction.atomic().")
    template = number_format(kind)

    # The first document of a year creates its series row. ignore_conflicts turns a
    # concurrent creation into a no-op, so both callers then lock the same row.
    DocumentSequence.objects.bulk_create(
        [DocumentSequence(kind=kind, year=year)], ignore_conflicts=True
    )
    sequence = DocumentSequence.objects.select_for_update().get(kind=kind, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])

    code = format_code(template, year=year, number=sequence.last_number)
    return TakenNumber(kind=kind, year=year, number=sequence.last_number, code=code)
