"""The shared upload check: type by content, size, and the opt-in structure check."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import PDF, upload_check

DAMAGED_PDF = b"%PDF-1.4\n" + b"x" * 500


def test_damaged_pdf_passes_without_verify():
    uploaded = SimpleUploadedFile("acta.pdf", DAMAGED_PDF)

    assert upload_check(uploaded, max_mb=1, verify=False) == PDF


def test_damaged_pdf_rejected_by_default():
    uploaded = SimpleUploadedFile("acta.pdf", DAMAGED_PDF)

    with pytest.raises(ValidationError, match=r"«acta\.pdf» está dañado"):
        upload_check(uploaded, max_mb=1)


def test_verify_leaves_file_at_start():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    uploaded = SimpleUploadedFile("acta.pdf", b"")
    writer.write(uploaded.file)
    uploaded.size = uploaded.file.tell()

    assert upload_check(uploaded, max_mb=1, verify=True) == PDF
    assert uploaded.read(5) == b"%PDF-"
