"""The data of the monthly consolidation: which orders a month holds, their lines as
workbook rows streamed from the database, and the ZIP of their proofs.

Rows come from one query read with `.iterator()` as plain tuples (no model
instances), so exporting a month of 50,000 lines keeps memory flat.
"""

import functools
import logging
import mimetypes
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from billing.periods import Month
from billing.workbook import WorkbookSummary, monthly_workbook_write
from customers.identification import format_identification
from field_work.models import Prepayment, ServiceProof
from quotations.money import line_amounts
from service_orders.models import ServiceOrder, ServiceOrderLine
from tariffs.models import Unit

logger = logging.getLogger(__name__)

# Lines fetched per round trip when streaming rows.
CHUNK_SIZE = 2000

# File extension in the ZIP for each content type operations may upload.
PROOF_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}


def month_orders(month: Month):
    """Orders executed in `month` (America/Bogota dates), of every billing stage."""
    return ServiceOrder.objects.executed_in(month.first_day, month.last_day)


def workbook_rows(orders) -> Iterator[tuple]:
    """Yield one workbook row per line of `orders`, sorted by execution date and
    order code, with the executed quantity and its amounts (quotations.money)."""
    proof_count = Subquery(
        ServiceProof.objects.filter(order=OuterRef("order_id"))
        .order_by()
        .values("order_id")
        .annotate(count=Count("pk"))
        .values("count"),
        output_field=IntegerField(),
    )
    lines = (
        ServiceOrderLine.objects.filter(order__in=orders.values("pk"))
        .annotate(
            billable=Coalesce("executed_quantity", "quantity"),
            proof_count=Coalesce(proof_count, Value(0)),
        )
        .order_by("order__executed_on", "order__code", "position", "pk")
        .values_list(
            "order__executed_on",
            "order__customer__name",
            "order__customer__id_type",
            "order__customer__id_number",
            "order__customer__check_digit",
            "order__address",
            "order__municipality__name",
            "code",
            "description",
            "billable",
            "unit",
            "unit_price",
            "tax_rate",
            "order__code",
            "order__quotation__code",
            "proof_count",
            "order__invoice_number",
            "order__invoice_date",
        )
    )
    unit_labels = {code: str(label) for code, label in Unit.choices}
    identifications = {}
    # Lines of a month repeat the same tariff, quantity and rate often, so each
    # distinct combination is rounded once.
    amounts_of = functools.lru_cache(maxsize=4096)(_line_amounts)
    for (
        executed_on,
        customer,
        id_type,
        id_number,
        check_digit,
        address,
        municipality,
        code,
        description,
        quantity,
        unit,
        unit_price,
        tax_rate,
        order_code,
        quotation_code,
        proofs,
        invoice_number,
        invoice_date,
    ) in lines.iterator(chunk_size=CHUNK_SIZE):
        key = (id_type, id_number, check_digit)
        identification = identifications.get(key)
        if identification is None:
            identification = format_identification(id_type, id_number, check_digit)
            identifications[key] = identification
        amounts = amounts_of(quantity, unit_price, tax_rate)
        yield (
            executed_on,
            customer,
            identification,
            address,
            municipality or "",
            code,
            description,
            quantity,
            unit_labels.get(unit, unit),
            unit_price,
            amounts.net,
            amounts.tax,
            amounts.total,
            order_code,
            quotation_code,
            proofs,
            invoice_number,
            invoice_date,
        )


def prepayment_rows(orders) -> Iterator[tuple]:
    """Yield one «Anticipos» row per payment in force of `orders`, sorted by order
    code and payment date. Annulled payments are left out."""
    payments = (
        Prepayment.objects.in_force()
        .filter(order__in=orders.values("pk"))
        .order_by("order__code", "paid_on", "pk")
        .values_list(
            "order__code",
            "order__customer__name",
            "order__customer__id_type",
            "order__customer__id_number",
            "order__customer__check_digit",
            "reference",
            "paid_on",
            "amount",
        )
    )
    for (
        order_code,
        customer,
        id_type,
        id_number,
        check_digit,
        reference,
        paid_on,
        amount,
    ) in payments.iterator(chunk_size=CHUNK_SIZE):
        yield (
            order_code,
            customer,
            format_identification(id_type, id_number, check_digit),
            reference,
            paid_on,
            amount,
        )


def _line_amounts(quantity, unit_price, tax_rate):
    return line_amounts(quantity=quantity, unit_price=unit_price, tax_rate=tax_rate)


def workbook_export(
    orders, target: str | BinaryIO, *, month: Month, subtitle: str = ""
) -> WorkbookSummary:
    """Write the consolidated workbook of `orders` (executed in `month`) to `target`."""
    title = _("%(company)s · Servicios especiales ejecutados en %(month)s") % {
        "company": settings.COMPANY_NAME,
        "month": month.label,
    }
    subtitle = subtitle or _(
        "Facturación de servicios no regulados. Fechas en hora de Colombia, del "
        "%(first)s al %(last)s."
    ) % {
        "first": month.first_day.strftime("%d/%m/%Y"),
        "last": month.last_day.strftime("%d/%m/%Y"),
    }
    return monthly_workbook_write(
        target,
        title=title,
        subtitle=subtitle,
        rows=workbook_rows(orders),
        prepayments=prepayment_rows(orders),
    )


def proof_archive_name(
    order_code: str, position: int, kind: str, taken_on, content_type: str
) -> str:
    """Return the path of a proof inside the ZIP: a folder per order code and a name
    built from the proof's data, never from the name the client uploaded."""
    extension = (
        PROOF_EXTENSIONS.get(content_type)
        or mimetypes.guess_extension(content_type)
        or ".bin"
    )
    safe_code = "".join(char for char in order_code if char.isalnum() or char == "-")
    return f"{safe_code}/{position:02d}-{kind}-{taken_on:%Y%m%d}{extension}"


def proofs_zip_write(orders, target: str | Path | BinaryIO) -> int:
    """Write the proofs of `orders` into a ZIP at `target`, streaming each file from
    storage, and return how many were written. A proof whose file is missing from
    storage is listed in FALTANTES.txt inside the ZIP instead."""
    proofs = (
        ServiceProof.objects.filter(order__in=orders.values("pk"))
        .order_by("order__code", "taken_on", "pk")
        .values_list("order__code", "kind", "taken_on", "content_type", "file")
    )
    written = 0
    missing = []
    position = 0
    last_code = None
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for order_code, kind, taken_on, content_type, file_name in proofs.iterator(
            chunk_size=CHUNK_SIZE
        ):
            position = position + 1 if order_code == last_code else 1
            last_code = order_code
            name = proof_archive_name(
                order_code, position, kind, taken_on, content_type
            )
            try:
                with (
                    default_storage.open(file_name, "rb") as reader,
                    archive.open(name, "w") as writer,
                ):
                    shutil.copyfileobj(reader, writer, 1024 * 1024)
            except FileNotFoundError:
                logger.warning(
                    "Proof file %s of order %s is missing", file_name, order_code
                )
                missing.append(name)
                continue
            written += 1
        if missing:
            note = _("Soportes registrados cuyo archivo no se encontró:") + "\n"
            archive.writestr("FALTANTES.txt", note + "\n".join(missing) + "\n")
    return written
