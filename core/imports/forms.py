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
        raise forms.ValidationError(
            _(
                "El archivo «%(name)s» está vacío. Revise que eligió el archivo "
                "correcto y que se guardó con datos."
            )
            % {"name": Path(uploaded.name).name},
            code="empty",
        )

    extension = Path(uploaded.name).suffix.lower()
    head = read_upload_head(uploaded)
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
            raise forms.ValidationError(
                _(
                    "«%(name)s» no es un libro de Excel válido. Ábralo en Excel y "
                    "guárdelo como «Libro de Excel (.xlsx)»."
                )
                % {"name": uploaded.name},
                code="not_xlsx",
            )
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
            raise forms.ValidationError(
                _(
                    "«%(name)s» no parece un archivo CSV de texto. Guárdelo desde "
                    "Excel como «CSV (delimitado por comas)»."
                )
                % {"name": uploaded.name},
                code="not_csv",
            )
    else:
        raise forms.ValidationError(
            _(
                "El tipo de archivo «%(extension)s» no se admite: cargue un .csv o "
                "un .xlsx."
            )
            % {"extension": extension or _("sin extensión")},
            code="wrong_type",
        )
    return uploaded
