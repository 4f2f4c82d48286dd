"""Checks for files staff upload as evidence (signed forms, legal documents, photos).

The type comes from the file's first bytes, never from its name, and the stored name
never comes from the client's path: callers name the file from `upload_extension`.
"""

import logging
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from core.formatting import format_megabytes

logger = logging.getLogger(__name__)

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

# Leading bytes of each accepted type, with the extension a stored copy gets.
SIGNATURES = {
    b"%PDF-": (PDF, ".pdf"),
    b"\xff\xd8\xff": (JPEG, ".jpg"),
    b"\x89PNG\r\n\x1a\n": (PNG, ".png"),
}

TYPE_LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}
# Labels that tables of stored files show for each content type.
CONTENT_TYPE_LABELS = {
    PDF: gettext_lazy("PDF"),
    JPEG: gettext_lazy("Imagen JPEG"),
    PNG: gettext_lazy("Imagen PNG"),
}

# Content type of a stored copy by the extension upload_extension gave it.
EXTENSION_TYPES = {extension: kind for kind, extension in SIGNATURES.values()}

# Errors pypdf and Pillow raise on a damaged file. Pillow's verify() documents no
# single class: truncated data gives OSError, some broken headers SyntaxError.
DAMAGED_FILE_ERRORS = (
    PyPdfError,
    OSError,
    SyntaxError,
    ValueError,
    KeyError,
    TypeError,
    Image.DecompressionBombError,
)


def upload_sniff(uploaded) -> tuple[str, str] | None:
    """Return (content type, extension) read from the upload's first bytes, or None."""
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


def upload_check(
    uploaded, *, max_mb: int, accepted=(PDF, JPEG, PNG), verify: bool = True
) -> str:
    """Return the content type of `uploaded` when it is one of `accepted` by its
    content and within `max_mb`; raise ValidationError in Spanish otherwise.
    Unless `verify` is false, also open the file (every page of a PDF, the whole
    image), so a damaged file is rejected at upload instead of when it is used."""
    if uploaded.size > max_mb * 1024 * 1024:
        raise ValidationError(
            _(
                "El archivo «%(name)s» pesa %(size)s y el máximo es %(limit)s MB. "
                "Redúzcalo (por ejemplo, escanee a menor resolución) y súbalo de nuevo."
            )
            % {
                "name": Path(uploaded.name or "").name,
                "size": format_megabytes(uploaded.size),
                "limit": max_mb,
            },
            code="too_large",
        )
    if uploaded.size == 0:
        raise ValidationError(
            _("El archivo «%(name)s» está vacío.")
            % {"name": Path(uploaded.name or "").name},
            code="empty",
        )
    kind = upload_sniff(uploaded)
    if kind is None or kind[0] not in accepted:
        raise ValidationError(
            _("«%(name)s» no es un archivo %(types)s. Súbalo en uno de esos formatos.")
            % {
                "name": Path(uploaded.name or "").name,
                "types": _(" ni ").join(TYPE_LABELS[kind] for kind in accepted),
            },
            code="wrong_type",
        )
    if verify:
        upload_verify(uploaded, kind[0])
    return kind[0]


def upload_verify(uploaded, content_type: str) -> None:
    """Open a PDF and read each of its pages, or open and verify an image; raise
    ValidationError in Spanish when the file is damaged."""
    uploaded.seek(0)
    try:
        if content_type == PDF:
            for page in PdfReader(uploaded).pages:
                page.mediabox  # noqa: B018 - reading the box parses the page
        else:
            with Image.open(uploaded) as image:
                image.verify()
    except DAMAGED_FILE_ERRORS as error:
        logger.info("Damaged upload %r rejected: %s", uploaded.name, error)
        raise ValidationError(
            _(
                "El archivo «%(name)s» está dañado o incompleto y no se puede abrir "
                "como %(type)s. Escanéelo o expórtelo de nuevo y vuelva a subirlo."
            )
            % {
                "name": Path(uploaded.name or "").name,
                "type": TYPE_LABELS[content_type],
            },
            code="damaged",
        ) from error
    finally:
        uploaded.seek(0)


def upload_extension(uploaded) -> str:
    """Return the extension of the upload's real type (never the client's)."""
    kind = upload_sniff(uploaded)
    return kind[1] if kind else ".bin"
