"""Builders and sample files for field-work tests."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from billing.models import Handoff
from tests.factories import (
    image_bytes,
    make_accepted_quotation,
    make_service_order,
    pdf_bytes,
)

PDF_BYTES = pdf_bytes()
JPEG_BYTES = image_bytes("JPEG")
PNG_BYTES = image_bytes("PNG")
HTML_BYTES = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def pdf(name="acta.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def jpeg(name="foto.jpg"):
    return SimpleUploadedFile(name, JPEG_BYTES, content_type="image/jpeg")


def png(name="foto.png"):
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def html_as_jpeg(name="foto.jpg"):
    return SimpleUploadedFile(name, HTML_BYTES, content_type="image/jpeg")


def big_jpeg(megabytes: float, name="grande.jpg"):
    size = int(megabytes * 1024 * 1024)
    content = JPEG_BYTES + b"\x00" * (size - len(JPEG_BYTES))
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def make_order(customer, advisor, lines, **fields):
    """An order of a fresh accepted quotation with `lines` of (tariff, quantity)."""
    quotation = make_accepted_quotation(customer=customer, advisor=advisor, lines=lines)
    return make_service_order(quotation=quotation, **fields)


def backdate(order, days):
    """Move the creation of `order` `days` days back, as if it were created then."""
    from datetime import timedelta

    order.created_at = timezone.now() - timedelta(days=days)
    type(order).objects.filter(pk=order.pk).update(created_at=order.created_at)
    return order


def hand_over(order, user):
    """Mark `order` handed over to billing, as billing's hand-off does."""
    handoff = Handoff.objects.create(
        month=date(order.executed_on.year, order.executed_on.month, 1)
        if order.executed_on
        else timezone.localdate().replace(day=1),
        workbook="facturacion/consolidados/prueba.xlsx",
        service_count=1,
        total=Decimal("0"),
        sent_by=user,
    )
    order.handoff = handoff
    order.save(update_fields=["handoff"])
    return handoff
