"""The upload form of the import pages."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import format_megabytes
from core.imports.reading import (
    CSV_EXTENSIONS,
    XLSX_EXTENSIONS,
    looks_like_text,
    looks_like_xlsx,
    read_upload_head,
    xlsx_is_workbook,
)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Archivo"),
        help_text=gettext_lazy(
            "CSV (separado por punto y coma, coma o tabulador) o libro de Excel (.xlsx)."
        ),
    )

    def clean_file(self):
        return spreadsheet_check(self.cleaned_data["file"])


# The first bytes of every PDF document.
PDF_SIGNATURE = b"%PDF-"


def spreadsheet_check(uploaded):
    """Return `uploaded` when it is a CSV or XLSX file by its extension and its
    content and within IMPORT_MAX_UPLOAD_MB; raise ValidationError in Spanish
    otherwise, naming the format the content has when it differs from the
    extension. The import pages and the competitor-list upload share it."""
    limit_mb = settings.IMPORT_MAX_UPLOAD_MB
    if uploaded.size > limit_mb * 1024 * 1024:
        raise forms.ValidationError(
            _(
                "El archivo pesa %(size)s y el máximo es %(limit)s MB. Divídalo "
                "en varios archivos."
            )
            % {
                "size": format_megabytes(uploaded.size),
                "limit": limit_mb,
            },
            code="too_large",
        )
    if uploaded.size == 0:
        raise _empty_error(uploaded.name)

    extension = Path(uploaded.name).suffix.lower()
    head = read_upload_head(uploaded)
    if head.startswith(PDF_SIGNATURE):
        raise _pdf_error(uploaded.name)
    if extension in XLSX_EXTENSIONS:
        if not looks_like_xlsx(head) and looks_like_text(head):
            raise forms.ValidationError(
                _(
                    "«%(name)s» termina en %(extension)s pero es un archivo de texto "
                    "(CSV), no un libro de Excel. Cámbiele la extensión a .csv, o "
                    "ábralo en Excel y guárdelo como «Libro de Excel (.xlsx)»."
                )
                % {"name": uploaded.name, "extension": extension},
                code="csv_named_xlsx",
            )
        if not (looks_like_xlsx(head) and xlsx_is_workbook(uploaded)):
            raise _not_xlsx_error(uploaded.name)
        uploaded.seek(0)
    elif extension in CSV_EXTENSIONS:
        if looks_like_xlsx(head) and xlsx_is_workbook(uploaded):
            raise forms.ValidationError(
                _(
                    "«%(name)s» termina en %(extension)s pero es un libro de Excel, "
                    "no un CSV. Cámbiele la extensión a .xlsx, o guárdelo desde "
                    "Excel como «CSV (delimitado por comas)»."
                )
                % {"name": uploaded.name, "extension": extension},
                code="xlsx_named_csv",
            )
        uploaded.seek(0)
        if not looks_like_text(head):
            raise _not_csv_error(uploaded.name)
    else:
        raise _wrong_type_error(extension)
    return uploaded


def spreadsheet_content_check(uploaded) -> None:
    """Raise the ValidationError of spreadsheet_check when the content of
    `uploaded` is neither text nor an XLSX workbook, whatever its extension.

    The import commands use it in place of spreadsheet_check, because the engine
    reads a workbook named .csv, or a CSV named .xlsx, by its content.
    """
    if uploaded.size == 0:
        raise _empty_error(uploaded.name)
    head = read_upload_head(uploaded)
    if head.startswith(PDF_SIGNATURE):
        raise _pdf_error(uploaded.name)
    is_workbook = looks_like_xlsx(head) and xlsx_is_workbook(uploaded)
    uploaded.seek(0)
    if is_workbook or (not looks_like_xlsx(head) and looks_like_text(head)):
        return
    extension = Path(uploaded.name).suffix.lower()
    if extension in XLSX_EXTENSIONS:
        raise _not_xlsx_error(uploaded.name)
    if extension in CSV_EXTENSIONS:
        raise _not_csv_error(uploaded.name)
    raise _wrong_type_error(extension)


def _empty_error(name: str) -> forms.ValidationError:
    return forms.ValidationError(
        _(
            "El archivo «%(name)s» está vacío. Revise que eligió el archivo "
            "correcto y que se guardó con datos."
        )
        % {"name": Path(name).name},
        code="empty",
    )


def _pdf_error(name: str) -> forms.ValidationError:
    return forms.ValidationError(
        _(
            "«%(name)s» es un documento PDF, no una hoja de cálculo. Pida el "
            "archivo en Excel (.xlsx) o CSV, o exporte los datos a uno de esos "
            "formatos."
        )
        % {"name": Path(name).name},
        code="pdf",
    )


def _not_xlsx_error(name: str) -> forms.ValidationError:
    return forms.ValidationError(
        _(
            "«%(name)s» no es un libro de Excel válido. Ábralo en Excel y "
            "guárdelo como «Libro de Excel (.xlsx)»."
        )
        % {"name": name},
        code="not_xlsx",
    )


def _not_csv_error(name: str) -> forms.ValidationError:
    return forms.ValidationError(
        _(
            "«%(name)s» no parece un archivo CSV de texto. Guárdelo desde "
            "Excel como «CSV (delimitado por comas)»."
        )
        % {"name": name},
        code="not_csv",
    )


def _wrong_type_error(extension: str) -> forms.ValidationError:
    return forms.ValidationError(
        _("El tipo de archivo «%(extension)s» no se admite: cargue un .csv o un .xlsx.")
        % {"extension": extension or _("sin extensión")},
        code="wrong_type",
    )
