"""Spreadsheet exports built with XlsxWriter, in constant memory.

Builders receive prepared rows and return bytes; they never query. Every text cell is
written with `write_string`, so text starting with =, +, - or @ stays text in the
workbook instead of running as a formula.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A column of an export: its Spanish header, its kind and its width in characters."""

    header: str
    kind: str = "text"  # text, integer, money, date, datetime
    width: int = 18


def xlsx_build(
    *,
    sheet_name: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    title: str = "",
) -> bytes:
    """Write `rows` under `columns` into a one-sheet workbook and return its bytes."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {"constant_memory": True, "in_memory": True, "strings_to_formulas": False},
    )
    formats = {
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#E9EEF0", "border": 1}
        ),
        "title": workbook.add_format({"bold": True, "font_size": 13}),
        "money": workbook.add_format({"num_format": '"$" #,##0'}),
        "integer": workbook.add_format({"num_format": "#,##0"}),
        "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
        "datetime": workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
    }
    sheet = workbook.add_worksheet(sheet_name[:31])
    row_index = 0
    if title:
        sheet.write_string(row_index, 0, title, formats["title"])
        row_index += 2
    for column_index, column in enumerate(columns):
        sheet.set_column(column_index, column_index, column.width)
        sheet.write_string(row_index, column_index, column.header, formats["header"])
    sheet.freeze_panes(row_index + 1, 0)
    row_index += 1

    for row in rows:
        for column_index, (column, value) in enumerate(zip(columns, row, strict=True)):
            _write_cell(sheet, row_index, column_index, column, value, formats)
        row_index += 1

    workbook.close()
    return output.getvalue()


def safe_text(value) -> str:
    """Return `value` for a CSV cell that no spreadsheet will evaluate as a formula.

    A leading apostrophe is what spreadsheets read as "this is text"."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _write_cell(sheet, row, column_index, column: Column, value, formats):
    if value is None or value == "":
        sheet.write_blank(row, column_index, None)
    elif column.kind == "money" and isinstance(value, (Decimal, int, float)):
        sheet.write_number(row, column_index, float(value), formats["money"])
    elif column.kind == "integer" and isinstance(value, (int, Decimal)):
        sheet.write_number(row, column_index, int(value), formats["integer"])
    elif column.kind == "datetime" and isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        sheet.write_datetime(
            row, column_index, local.replace(tzinfo=None), formats["datetime"]
        )
    elif column.kind == "date" and isinstance(value, date):
        sheet.write_datetime(
            row,
            column_index,
            datetime(value.year, value.month, value.day),
            formats["date"],
        )
    else:
        # write_string never interprets its argument, so "=HYPERLINK(...)" stays text.
        sheet.write_string(row, column_index, str(value))
