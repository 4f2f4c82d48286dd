"""Documents of the termination workflow: upload checks for signed scans and the
builders of the desistimiento form, the delivery bundle, workbook and record, and
the novedades report. Builders take prepared data and return bytes."""

import csv
import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader, PdfWriter

from core.exports import Column, safe_text, xlsx_build
from core.pdf import render_pdf
from core.uploads import DAMAGED_FILE_ERRORS, upload_check

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def check_upload(uploaded) -> str:
    """Return the content type of a PDF, JPEG or PNG upload that opens and is within
    the size limit of signed forms. Raise ValidationError in Spanish otherwise."""
    return upload_check(
        uploaded, max_mb=settings.TERMINATION_SIGNED_FORM_MAX_MB, verify=True
    )


def desistimiento_context(desistimiento) -> dict:
    request = desistimiento.request
    account = request.account
    return {
        "code": desistimiento.code,
        "issued_on": timezone.localtime(desistimiento.issued_at).date(),
        "company_name": settings.COMPANY_NAME,
        "company_nit": settings.COMPANY_NIT,
        "company_address": settings.COMPANY_ADDRESS,
        "competitor": request.competitor,
        "filed_on": request.filed_on,
        "account_code": account.account_code,
        "subscriber_name": account.name,
        "identification": account.identification_display,
        "address": account.address,
        "barrio": account.barrio,
        "municipality": account.municipality.name,
        "use_class": account.get_use_class_display(),
        "estrato": account.estrato,
    }


def desistimiento_render(context: dict) -> bytes:
    return render_pdf(template="terminations/pdf/desistimiento.html", context=context)


def delivery_record_render(context: dict) -> bytes:
    return render_pdf(template="terminations/pdf/acta_entrega.html", context=context)


class SignedFormError(Exception):
    """A signed scan that cannot be read; `code` names its desistimiento."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def signed_forms_merge(files: list[tuple[str, bytes, str]]) -> bytes:
    """Join signed scans, given as (desistimiento code, content, content type), into
    one PDF: PDF pages as they are, a JPEG or PNG as one page each. Raises
    SignedFormError naming the first scan that cannot be read."""
    writer = PdfWriter()
    for code, content, content_type in files:
        try:
            if content_type != "application/pdf":
                content = _image_to_pdf(content)
            writer.append(PdfReader(io.BytesIO(content)))
        except DAMAGED_FILE_ERRORS as error:
            raise SignedFormError(code) from error
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _image_to_pdf(content: bytes) -> bytes:
    image = Image.open(io.BytesIO(content))
    output = io.BytesIO()
    image.convert("RGB").save(output, format="PDF", resolution=150)
    return output.getvalue()


DELIVERY_COLUMNS = [
    Column(_("Consecutivo"), width=18),
    Column(_("Código de cuenta"), width=14),
    Column(_("Suscriptor"), width=36),
    Column(_("Documento"), width=16),
    Column(_("Dirección"), width=36),
    Column(_("Fecha de radicación"), kind="date", width=14),
    Column(_("Resultado de la verificación"), width=30),
]


def delivery_workbook(rows: list[list]) -> bytes:
    return xlsx_build(
        sheet_name=_("Desistimientos"), columns=DELIVERY_COLUMNS, rows=rows
    )


NOVELTY_HEADERS = [
    _("Novedad"),
    _("Código de cuenta"),
    _("Número predial"),
    _("Suscriptor"),
    _("Documento"),
    _("Dirección"),
    _("Municipio"),
    _("Fecha efectiva"),
    _("Aplicar en facturación desde"),
]
NOVELTY_KINDS = ["text"] * 7 + ["date", "date"]


def novelties_xlsx(rows: list[list], title: str) -> bytes:
    columns = [
        Column(header, kind=kind, width=18)
        for header, kind in zip(NOVELTY_HEADERS, NOVELTY_KINDS, strict=True)
    ]
    return xlsx_build(
        sheet_name=_("Novedades"), columns=columns, rows=rows, title=title
    )


def novelties_csv(rows: list[list]) -> bytes:
    """CSV for the billing company: UTF-8 with BOM, `;`, dates dd/mm/aaaa."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(NOVELTY_HEADERS)
    for row in rows:
        writer.writerow(
            [
                value.strftime("%d/%m/%Y")
                if hasattr(value, "strftime")
                else safe_text(value)
                for value in row
            ]
        )
    return ("\ufeff" + output.getvalue()).encode("utf-8")
