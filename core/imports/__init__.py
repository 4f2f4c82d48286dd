"""The shared import engine: reading CSV/XLSX, header matching, cell parsers,
validation report, preview and all-or-nothing commit. See docs/adding-an-import.md.
"""

from core.imports.columns import Column, ForeignKind
from core.imports.engine import (
    Importer,
    PendingRecord,
    RowReader,
    WriteResult,
    run_import,
)
from core.imports.parsers import (
    CellError,
    cell_text,
    check_text_length,
    clean_text,
    is_excel_serial,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_yes_no,
)
from core.imports.registry import all_importers, get_importer, register
from core.imports.report import (
    ImportFileError,
    ImportReport,
    Issue,
    Match,
    Outcome,
    Severity,
)

__all__ = [
    "CellError",
    "Column",
    "ForeignKind",
    "ImportFileError",
    "ImportReport",
    "Importer",
    "Issue",
    "Match",
    "Outcome",
    "PendingRecord",
    "RowReader",
    "Severity",
    "WriteResult",
    "all_importers",
    "cell_text",
    "check_text_length",
    "clean_text",
    "get_importer",
    "is_excel_serial",
    "parse_date",
    "parse_decimal",
    "parse_integer",
    "parse_yes_no",
    "register",
    "run_import",
]
