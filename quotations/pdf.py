"""The quotation PDF: data prepared from a quotation, rendered by core.pdf."""

from pathlib import Path

from django.conf import settings

from core.amounts import amount_in_words
from core.formatting import format_date, format_pesos, whole_pesos
from core.pdf import render_pdf

TEMPLATE = "quotations/pdf/quotation.html"


def quotation_pdf_context(quotation) -> dict:
    """Return every figure and text the PDF prints, already formatted, so the
    template only lays them out."""
    customer = quotation.customer
    lines = [
        {
            "code": line.code,
            "description": line.description,
            "unit": line.unit,
            "quantity": _format_quantity(line.quantity),
            "unit_price": format_pesos(line.unit_price),
            "tax_percent": f"{line.tax_percent} %",
            "net": format_pesos(line.net_amount),
            "tax": format_pesos(line.tax_amount),
            "total": format_pesos(line.total_amount),
        }
        for line in quotation.lines.all()
    ]
    return {
        "company": {
            "name": settings.COMPANY_NAME,
            "nit": settings.COMPANY_NIT,
            "address": settings.COMPANY_ADDRESS,
            "phone": settings.COMPANY_PHONE,
            "logo_url": _logo_url(),
        },
        "code": quotation.code or "BORRADOR",
        "date": format_date(quotation.date),
        "valid_until": format_date(quotation.valid_until),
        "validity_days": quotation.validity_days,
        "customer": {
            "name": customer.name,
            "identification": customer.identification_display,
            "address": customer.address,
            "municipality": str(customer.municipality or ""),
            "email": customer.email,
        },
        "lines": lines,
        "net_total": format_pesos(quotation.net_total),
        "tax_total": format_pesos(quotation.tax_total),
        "total": format_pesos(quotation.total),
        # In words, the total as the page prints it: whole pesos.
        "total_in_words": amount_in_words(whole_pesos(quotation.total)),
        "conditions": quotation.conditions,
        "advisor": {
            "name": quotation.advisor.get_full_name() or quotation.advisor.username,
            "email": quotation.advisor.email,
            "phone": quotation.advisor.phone,
        },
    }


def quotation_render_pdf(quotation) -> bytes:
    return render_pdf(template=TEMPLATE, context=quotation_pdf_context(quotation))


def _format_quantity(quantity) -> str:
    text = f"{quantity.normalize():f}"
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{fraction}" if fraction else grouped


def _logo_url() -> str:
    if not settings.COMPANY_LOGO:
        return ""
    path = Path(settings.COMPANY_LOGO)
    if not path.is_absolute():
        path = Path(settings.BASE_DIR) / path
    return path.as_uri() if path.exists() else ""
