"""Reading CSV and XLSX files row by row, and finding their header row.

Both readers stream: a CSV is decoded as it is read and an XLSX is opened with
openpyxl in read-only mode, so memory does not grow with the file.
"""

import codecs
import csv
import io
import logging
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.imports.columns import Column, ForeignKind, HeaderMatch, match_headers
from core.imports.decoding import undecodable_find, undecodable_message
from core.imports.parsers import cell_text
from core.imports.report import ImportFileError
from core.text import fold

# The header row is searched for among the first rows (title rows may sit above it).
HEADER_SCAN_ROWS = 20
# Data rows read when a CSV file is opened to learn how many cells its rows have.
LENGTH_SCAN_ROWS = 200
CSV_DELIMITERS = (";", ",", "\t")
XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
ZIP_SIGNATURE = b"PK\x03\x04"

# Rows after the data that spreadsheets often carry: totals and signature lines.
_FOOTER = re.compile(
    r"^(total|totales|elaboro|elaborado|reviso|revisado|aprobo|aprobado|firma|"
    r"nota|notas|fuente|observaciones generales)\b"
)

csv.field_size_limit(1024 * 1024)

logger = logging.getLogger(__name__)

# Errors openpyxl lets through on a damaged workbook: a broken ZIP archive or member
# (BadZipFile, zlib.error, EOFError), a missing part (KeyError), malformed XML
# (ElementTree's ParseError and lxml's XMLSyntaxError are SyntaxErrors) and values it
# cannot convert (ValueError, TypeError).
DAMAGED_XLSX_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
)


@dataclass(slots=True)
class SourceRow:
    """One data row: its number as a spreadsheet shows it and its cells by position."""

    number: int
    cells: Sequence

    def is_blank(self) -> bool:
        return _filled_cells(self.cells, 1) == 0

    def is_blank_or_footer(self) -> bool:
        """is_blank() or is_footer(), counting the filled cells once."""
        cells = self.cells
        if (
            len(cells) >= 3
            and cells[0].__class__ is str
            and cells[1].__class__ is str
            and cells[2].__class__ is str
            and cells[0].strip()
            and cells[1].strip()
            and cells[2].strip()
        ):
            # The common data row: three filled text cells, checked without a
            # loop.
            return False
        filled = _filled_cells(cells, 3)
        return filled == 0 or (filled < 3 and self.is_footer())

    def is_footer(self) -> bool:
        """A totals or signature line: few cells filled, the first a footer word."""
        if _filled_cells(self.cells, 3) > 2:
            return False
        filled = [cell for cell in self.cells if cell_text(cell)]
        if not filled:
            return False
        return bool(_FOOTER.match(fold(cell_text(filled[0]))))


def _filled_cells(cells: Sequence, limit: int) -> int:
    """Count the cells holding something other than white space, up to `limit`."""
    count = 0
    for cell in cells:
        if cell is None:
            continue
        if isinstance(cell, str):
            if not cell or cell.isspace():
                continue
        elif not cell_text(cell):
            continue
        count += 1
        if count >= limit:
            break
    return count


@dataclass
class Table:
    """An opened file: where its header is and how to iterate its data rows."""

    path: Path
    file_format: str
    header_row: int
    header: HeaderMatch
    data_start: int
    delimiter: str = ""
    encoding: str = ""
    sheet_name: str = ""
    # RowReader.texts's functions of a row's cells, by tuple of column keys,
    # and under None the column keys and cell picker of RowReader.text_map.
    text_getters: dict = field(default_factory=dict, repr=False, compare=False)
    # The header's cells up to its last filled one, in a CSV file; 0 in a
    # workbook, whose cells cannot shift (see Table.shifted_length).
    width: int = 0
    # The header's cell count when it is also the most common cell count of
    # the first data rows, else 0: such a file writes every row to one length.
    row_length: int = 0

    def shifted_length(self, row: SourceRow) -> int:
        """Return the row's cell count when a delimiter typed inside a value
        seems to have shifted its cells, else 0. A row is shifted when it has
        a filled cell past the header's last column, or, in a file whose rows
        all have `row_length` cells, when it has more. The count runs to the
        last filled cell or, in the second case, to the row's end."""
        # NOTE: a shifted row in a file whose rows differ in length is caught
        # only when its last cell is filled.
        cells = row.cells
        if not self.width or len(cells) <= self.width:
            return 0
        if self.row_length and len(cells) > self.row_length:
            return len(cells)
        filled = [position for position, cell in enumerate(cells) if cell.strip()]
        if not filled or filled[-1] < self.width:
            return 0
        return filled[-1] + 1

    def rows(self) -> Iterator[SourceRow]:
        """Yield every row after the header, blank and footer rows included."""
        numbered = self._numbered_rows()
        for number, cells in numbered:
            if number >= self.data_start:
                yield SourceRow(number, cells)

    def count_data_rows(self) -> int:
        """Count the rows after the header, blank and footer lines left out (a
        cheap pass used for progress)."""
        return sum(1 for row in self.rows() if not row.is_blank_or_footer())

    def _numbered_rows(self) -> Iterator[tuple[int, Sequence]]:
        if self.file_format == "xlsx":
            return _xlsx_rows(self.path, self.sheet_name)
        return _csv_rows(self.path, self.encoding, self.delimiter, self.header_row)


def open_table(
    path: Path,
    columns: Sequence[Column],
    foreign_kinds: Sequence[ForeignKind] = (),
) -> Table:
    """Open a CSV or XLSX file and locate its header row among the first rows.
    The content decides the format, whatever the file's extension.

    Raises ImportFileError when the file cannot be read, when its headers are
    those of one of `foreign_kinds`, or when it lacks a required column.
    """
    path = Path(path)
    if is_xlsx(path):
        table = _open_xlsx(path, columns)
    else:
        table = _open_csv(path, columns)

    for kind in foreign_kinds:
        marks = kind.headers_in(table.header.found)
        if len(marks) >= kind.min_headers:
            raise ImportFileError(_foreign_kind_message(kind, marks, columns, table))
    missing = table.header.missing(columns)
    if missing:
        raise ImportFileError(_missing_columns_message(missing, table))
    return table


def is_xlsx(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == ZIP_SIGNATURE


def _foreign_kind_message(
    kind: ForeignKind, marks: list[str], columns: Sequence[Column], table: Table
) -> str:
    required = ", ".join(f"«{column.label}»" for column in columns if column.required)
    optional = ", ".join(
        f"«{column.label}»" for column in columns if not column.required
    )
    found = ", ".join(f"«{header}»" for header in table.header.found)
    return _(
        "El archivo parece %(kind)s, no el que se importa aquí: tiene las columnas "
        "%(marks)s. Columnas esperadas: %(required)s (obligatorias) y %(optional)s. "
        "Columnas encontradas en la fila %(row)s: %(found)s. Elija el archivo "
        "correcto y cárguelo de nuevo."
    ) % {
        "kind": kind.name,
        "marks": ", ".join(f"«{mark}»" for mark in marks),
        "required": required,
        "optional": optional or _("ninguna otra"),
        "row": table.header_row,
        "found": found,
    }


def _missing_columns_message(missing: Sequence[Column], table: Table) -> str:
    names = ", ".join(f"«{column.label}»" for column in missing)
    variants = "; ".join(
        _("%(label)s también puede llamarse %(aliases)s")
        % {"label": column.label, "aliases": ", ".join(column.aliases[:6])}
        for column in missing
        if column.aliases
    )
    found = ", ".join(f"«{header}»" for header in table.header.found) or _("ninguno")
    message = ngettext(
        "Falta la columna obligatoria %(names)s. Encabezados encontrados en la fila "
        "%(row)s: %(found)s. Agregue la columna o corrija su título.",
        "Faltan las columnas obligatorias %(names)s. Encabezados encontrados en la "
        "fila %(row)s: %(found)s. Agregue las columnas o corrija sus títulos.",
        len(missing),
    ) % {"names": names, "row": table.header_row, "found": found}
    if variants:
        message += " (" + variants + ".)"
    return message


def _best_header(
    numbered_rows: Sequence[tuple[int, Sequence]], columns: Sequence[Column]
) -> tuple[int, HeaderMatch, int]:
    """Return (header row number, match, first data row number) for the rows that
    match the most columns. A two-level header (a group title over sub-headers, with
    single headers merged vertically) is read as the lower row, falling back to the
    upper row's text where the lower cell is empty."""
    singles = [match_headers(cells, columns) for _number, cells in numbered_rows]
    best: tuple[int, HeaderMatch, int] | None = None
    for index, (number, cells) in enumerate(numbered_rows):
        candidates = [(singles[index], number + 1)]
        if index + 1 < len(numbered_rows):
            next_number, next_cells = numbered_rows[index + 1]
            merged = [
                below if cell_text(below) else above
                for above, below in _zip_padded(cells, next_cells)
            ]
            two_level = match_headers(merged, columns)
            # Only a real two-level header beats both of its rows read alone.
            if two_level.score > max(singles[index].score, singles[index + 1].score):
                candidates.append((two_level, next_number + 1))
        for match, data_start in candidates:
            if best is None or match.score > best[1].score:
                best = (number, match, data_start)
    if best is None or best[1].score == 0:
        expected = ", ".join(
            f"«{column.label}»" for column in columns if column.required
        )
        raise ImportFileError(
            _(
                "No se encontró la fila de encabezados en las primeras %(count)s filas. "
                "El archivo debe tener una fila con los títulos de las columnas, "
                "entre ellos %(expected)s."
            )
            % {"count": HEADER_SCAN_ROWS, "expected": expected}
        )
    return best


def _zip_padded(first: Sequence, second: Sequence):
    length = max(len(first), len(second))
    padded_first = list(first) + [None] * (length - len(first))
    padded_second = list(second) + [None] * (length - len(second))
    return zip(padded_first, padded_second, strict=True)


# CSV


def _openpyxl():
    """Return the openpyxl module, imported on first use: it takes about a tenth
    of a second that a CSV import does not need."""
    import openpyxl

    return openpyxl


def detect_encoding(path: Path) -> str:
    """Return `utf-8-sig` for a BOM, `utf-8` when the file is UTF-8, else
    `cp1252` (what Excel on Spanish-locale Windows writes).

    A file is UTF-8 when it decodes as UTF-8, and also when it has more valid
    UTF-8 letters beyond ASCII than bytes that do not decode: a UTF-8 file with
    a damaged byte. Read as cp1252, each of its accented letters would turn
    into two («Ã±» for «ñ») without a word, where reading it as UTF-8 stops at
    the damaged byte and names its row.
    """
    with open(path, "rb") as handle:
        start = handle.read(3)
        if start == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            handle.seek(0)
            return "utf-8" if _mostly_utf8(handle) else "cp1252"
    return "utf-8"


def _mostly_utf8(handle) -> bool:
    """Return True when the bytes of `handle` hold more letters that decode as
    UTF-8 beyond ASCII than bytes that do not decode."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    letters = undecodable = 0
    while chunk := handle.read(1024 * 1024):
        text = decoder.decode(chunk)
        bad = text.count("\ufffd")
        undecodable += bad
        letters += len(text) - len(text.encode("ascii", "ignore")) - bad
        if undecodable > 100 and letters < undecodable // 100:
            # A cp1252 file, whose accented letters hardly ever form UTF-8.
            return False
    return letters > undecodable


def _csv_rows(
    path: Path,
    encoding: str,
    delimiter: str,
    header_row: int = 0,
    errors: str = "strict",
):
    """Yield (row number, cells) for each record of a CSV file. `header_row`,
    when known, lets the message about an undecodable byte name its column.
    With `errors="replace"` an undecodable byte reads as U+FFFD instead."""
    with open(path, encoding=encoding, newline="", errors=errors) as handle:
        if b"\x00" in handle.buffer.peek(4096)[:4096]:
            raise ImportFileError(_binary_file_message())
        reader = csv.reader(handle, delimiter=delimiter)
        number = 0
        line = 0
        try:
            for number, cells in enumerate(reader, start=1):
                if reader.line_num - line > MAX_LINES_PER_ROW:
                    raise ImportFileError(
                        _unclosed_quote_message(number, reader.line_num - line)
                    )
                line = reader.line_num
                yield number, cells
        except UnicodeDecodeError as error:
            # The text layer decodes ahead of the csv reader, block by block, so
            # `number` may be rows before the damaged one. Search for that row.
            logger.info("CSV file %s undecodable after row %s: %s", path, number, error)
            place = undecodable_find(path, encoding, delimiter, header_row)
            raise ImportFileError(undecodable_message(place, number)) from error
        except csv.Error as error:
            logger.info("CSV file %s unreadable after row %s: %s", path, number, error)
            if str(error).startswith("field larger than field limit"):
                raise ImportFileError(_cell_too_long_message(number + 1)) from error
            raise ImportFileError(
                _(
                    "El archivo CSV no se pudo leer después de la fila %(row)s: tiene "
                    "caracteres o comillas que un CSV no admite. Ábralo en Excel y "
                    "guárdelo de nuevo como «CSV UTF-8 (delimitado por comas)»."
                )
                % {"row": number}
            ) from error


# A CSV row may span lines when a quoted cell contains line breaks, as an address
# or a note typed with Alt+Enter in Excel does. A row spanning more lines than
# this has an opening quote that is never closed, which joined the next rows
# into one cell: importing the rest would lose them without a word.
MAX_LINES_PER_ROW = 20


def _unclosed_quote_message(row: int, lines: int) -> str:
    return _(
        'La fila %(row)s del archivo CSV ocupa %(lines)s líneas: una comilla («"») '
        "que abre un valor y no se cierra unió las filas siguientes en una sola "
        "celda. Quite esa comilla o ciérrela y cargue el archivo de nuevo."
    ) % {"row": row, "lines": lines}


def _cell_too_long_message(row: int) -> str:
    limit = f"{csv.field_size_limit():,}".replace(",", ".")
    return _(
        "La fila %(row)s del archivo CSV tiene una celda de más de %(limit)s "
        "caracteres, más de lo que se puede importar. Revise esa fila: una comilla "
        "sin cerrar junta las filas siguientes en una sola celda. Acorte o corrija "
        "la celda y cargue el archivo de nuevo."
    ) % {"row": row, "limit": limit}


def _binary_file_message() -> str:
    return _(
        "El archivo no es un CSV de texto ni un libro XLSX. Guárdelo desde Excel como "
        "«CSV (delimitado por comas)» o «Libro de Excel (.xlsx)»."
    )


def _open_csv(path: Path, columns: Sequence[Column]) -> Table:
    encoding = detect_encoding(path)
    best = None
    for delimiter in CSV_DELIMITERS:
        # An undecodable byte is reported once the delimiter and the header are
        # known, by the strict reading below, so that its message names the
        # right column.
        rows = _csv_rows(path, encoding, delimiter, errors="replace")
        sample = list(islice(rows, HEADER_SCAN_ROWS))
        if not sample:
            raise ImportFileError(_("El archivo está vacío."))
        try:
            header_row, match, data_start = _best_header(sample, columns)
        except ImportFileError as error:
            candidate = (0, 0, delimiter, error)
        else:
            width = max(len(cells) for _number, cells in sample)
            candidate = (match.score, width, delimiter, (header_row, match, data_start))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    _score, _width, delimiter, found = best
    if isinstance(found, ImportFileError):
        # A damaged byte among the rows searched may be why no header matched.
        for _row in islice(_csv_rows(path, encoding, delimiter), HEADER_SCAN_ROWS):
            pass
        raise found
    header_row, match, data_start = found
    rows = _csv_rows(path, encoding, delimiter, header_row)
    first_rows = dict(islice(rows, data_start + LENGTH_SCAN_ROWS))
    header_cells = first_rows[header_row]
    filled = [position for position, cell in enumerate(header_cells) if cell.strip()]
    lengths = Counter(
        len(cells)
        for number, cells in first_rows.items()
        if number >= data_start and any(cell.strip() for cell in cells)
    )
    common = lengths.most_common(1)
    return Table(
        path=path,
        file_format="csv",
        header_row=header_row,
        header=match,
        data_start=data_start,
        delimiter=delimiter,
        encoding=encoding,
        width=filled[-1] + 1,
        row_length=len(header_cells)
        if common and common[0][0] == len(header_cells)
        else 0,
    )


# XLSX


@contextmanager
def _opened_workbook(path: Path) -> Iterator:
    """Open the workbook read-only and close it on exit.

    openpyxl gets an open file, not the path: given a path it rejects any
    extension but its own, so a workbook named .csv would raise instead of
    being read by its content as every other file is.
    """
    with open(path, "rb") as handle:
        try:
            workbook = _openpyxl().load_workbook(handle, read_only=True, data_only=True)
        except DAMAGED_XLSX_ERRORS as error:
            logger.info("Workbook %s unreadable: %r", path, error)
            raise ImportFileError(_damaged_workbook_message()) from error
        try:
            yield workbook
        finally:
            workbook.close()


def _damaged_workbook_message() -> str:
    return _(
        "El libro de Excel está dañado o incompleto y no se puede leer. Ábralo en "
        "Excel; si abre, guárdelo de nuevo como «Libro de Excel (.xlsx)» y cárguelo "
        "otra vez, y si no abre, pida de nuevo el archivo a quien lo envió."
    )


def _xlsx_rows(path: Path, sheet_name: str):
    with _opened_workbook(path) as workbook:
        number = 0
        try:
            sheet = workbook[sheet_name]
            # Read-only sheets yield every row, empty ones included, so counting
            # from 1 gives the row numbers Excel shows.
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, cells
        except DAMAGED_XLSX_ERRORS as error:
            # Read-only mode parses the sheet while it is read, so damage deep in
            # the file shows up here, after the rows before it were yielded.
            logger.info(
                "Workbook %s unreadable after row %s of %r: %r",
                path,
                number,
                sheet_name,
                error,
            )
            raise ImportFileError(_damaged_workbook_message()) from error


def _open_xlsx(path: Path, columns: Sequence[Column]) -> Table:
    with _opened_workbook(path) as workbook:
        sheet_names = workbook.sheetnames

    best = None
    first_error = None
    for sheet_name in sheet_names:
        sample = list(islice(_xlsx_rows(path, sheet_name), HEADER_SCAN_ROWS))
        try:
            header_row, match, data_start = _best_header(sample, columns)
        except ImportFileError as error:
            first_error = first_error or error
            continue
        if best is None or match.score > best[2].score:
            best = (sheet_name, header_row, match, data_start)
    if best is None:
        raise first_error or ImportFileError(_("El libro no tiene hojas con datos."))
    sheet_name, header_row, match, data_start = best
    return Table(
        path=path,
        file_format="xlsx",
        header_row=header_row,
        header=match,
        data_start=data_start,
        sheet_name=sheet_name,
    )


def read_upload_head(uploaded, size: int = 8192) -> bytes:
    """Return the first bytes of an uploaded file without consuming it."""
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    head = uploaded.read(size)
    uploaded.seek(position)
    return head if isinstance(head, bytes) else head.encode()


def looks_like_xlsx(head: bytes) -> bool:
    return head.startswith(ZIP_SIGNATURE)


def looks_like_text(head: bytes) -> bool:
    """True when the start of a file is text in UTF-8 or cp1252, without NUL bytes.

    Text with a byte that neither encoding decodes counts too when it has no
    control characters, which binary files are full of. The reader then names
    the row of that byte, as it does for one further down the file.
    """
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 3:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return not _CONTROL_BYTES.search(head)
    return True


# C0 control characters other than tab, line feed, vertical tab, form feed and
# carriage return, and DEL.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")


def xlsx_is_workbook(data: io.BufferedIOBase) -> bool:
    """True when a ZIP file holds an Excel workbook part."""
    try:
        with zipfile.ZipFile(data) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def xlsx_formulas(table: Table, keys: Sequence[str]) -> dict[tuple[int, str], str]:
    """Return the formulas in the columns `keys` of an XLSX table, as written
    (`=HYPERLINK(...)`), by (row number, column key); {} for a CSV table.

    Rows are read with cached values (data_only=True), so a formula cell comes
    as the value Excel saved, or None when the file was never recalculated.
    This second pass over the sheet, without data_only, finds those cells.
    """
    positions = {
        table.header.positions[key]: key
        for key in keys
        if key in table.header.positions
    }
    if table.file_format != "xlsx" or not positions:
        return {}

    formulas = {}
    with open(table.path, "rb") as handle:
        workbook = _openpyxl().load_workbook(handle, read_only=True, data_only=False)
        try:
            sheet = workbook[table.sheet_name]
            rows = sheet.iter_rows(
                min_row=table.data_start,
                min_col=min(positions) + 1,
                max_col=max(positions) + 1,
            )
            for number, cells in enumerate(rows, start=table.data_start):
                for cell in cells:
                    key = positions.get(getattr(cell, "column", 0) - 1)
                    if key is not None and cell.data_type == "f":
                        formulas[number, key] = str(cell.value)
        finally:
            workbook.close()
    return formulas
