"""Finding the byte of a CSV file that its encoding cannot decode.

The CSV reader decodes through a text layer that reads blocks ahead of the
csv module, so when decoding fails the reader may still be rows before the
damaged one. These functions run only after such a failure: they read the
file again, in constant memory, to name the exact row and column.
"""

import codecs
import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

_BLOCK_SIZE = 1024 * 1024
# Characters of the damaged cell shown before the undecodable byte.
_CONTEXT_LENGTH = 20
# Put in place of the undecodable byte so that the csv module parses the text
# before it as a row that ends in that cell. It is neither a delimiter, a
# quote nor a line break, and it is encoded alike in UTF-8 and cp1252.
_MARK = "X"


@dataclass(frozen=True)
class Undecodable:
    """An undecodable byte: its row as a spreadsheet numbers it (header = 1,
    a quoted cell with line breaks counted once), its column (1 = first),
    the column's header when known, the bytes and the cell's text before
    them."""

    row: int
    column: int
    header: str
    data: bytes
    text_before: str


def undecodable_find(
    path: Path, encoding: str, delimiter: str, header_row: int = 0
) -> Undecodable | None:
    """Return the first byte of `path` that `encoding` cannot decode, with
    its row and column, or None when every byte decodes or the text before it
    cannot be parsed as CSV."""
    found = _undecodable_offset(path, encoding)
    if found is None:
        return None
    offset, data = found
    try:
        return _place(path, encoding, delimiter, header_row, offset, data)
    except csv.Error as error:
        logger.info("CSV file %s unparsable before byte %s: %s", path, offset, error)
        return None


def _undecodable_offset(path: Path, encoding: str) -> tuple[int, bytes] | None:
    """Return the file offset of the first undecodable byte and the bytes
    that failed, or None."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    decoder = codecs.getincrementaldecoder(codec)()
    with open(path, "rb") as handle:
        read = 0
        if encoding == "utf-8-sig":
            read = len(handle.read(len(codecs.BOM_UTF8)))
        while True:
            block = handle.read(_BLOCK_SIZE)
            # A UTF-8 decoder keeps the bytes of a character cut at the end of
            # a block, and error positions count from the first of them.
            pending = decoder.getstate()[0]
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                offset = read - len(pending) + error.start
                return offset, error.object[error.start : error.end]
            if not block:
                return None
            read += len(block)


def _place(
    path: Path,
    encoding: str,
    delimiter: str,
    header_row: int,
    offset: int,
    data: bytes,
) -> Undecodable:
    """Parse the text before `offset`, followed by _MARK, as CSV: the last row
    it yields is the damaged one and its last cell the damaged cell."""
    with open(path, "rb") as handle:
        raw = _Prefix(handle, offset, _MARK.encode("ascii"))
        text = io.TextIOWrapper(io.BufferedReader(raw), encoding=encoding, newline="")
        header: list[str] = []
        row, cells = 0, []
        for row, cells in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            if row == header_row:
                header = cells
    if row == header_row:
        # The damaged row is the header itself, which names no column.
        header = []
    column = len(cells)
    header_text = header[column - 1].strip() if column <= len(header) else ""
    return Undecodable(
        row=row,
        column=column,
        header=header_text,
        data=data,
        text_before=cells[-1][: -len(_MARK)],
    )


class _Prefix(io.RawIOBase):
    """The first `size` bytes of a binary file, followed by `tail`."""

    def __init__(self, handle, size: int, tail: bytes):
        self._handle = handle
        self._remaining = size
        self._tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._remaining > 0:
            data = self._handle.read(min(len(buffer), self._remaining))
            self._remaining = self._remaining - len(data) if data else 0
        else:
            data, self._tail = self._tail, b""
        buffer[: len(data)] = data
        return len(data)


def undecodable_message(place: Undecodable | None, last_row: int) -> str:
    """Return the Spanish message for an undecodable byte at `place`, or,
    when it was not found, somewhere after row `last_row`."""
    advice = _(
        "Corrija o borre ese carácter, o abra el archivo en Excel y guárdelo de "
        "nuevo como «CSV UTF-8 (delimitado por comas)», y cárguelo otra vez."
    )
    if place is None:
        return (
            _(
                "El archivo CSV tiene después de la fila %(row)s un carácter que no "
                "es texto válido."
            )
            % {"row": last_row}
            + " "
            + advice
        )

    if place.header:
        column = _("columna «%(header)s»") % {"header": place.header}
    else:
        column = _("columna %(number)s") % {"number": place.column}
    # A quoted cell may span lines: show its end on one line.
    text_before = " ".join(place.text_before.split())
    if len(text_before) > _CONTEXT_LENGTH:
        text_before = "…" + text_before[-_CONTEXT_LENGTH:]
    if text_before:
        byte = _("el byte %(byte)s, después de «%(text)s»") % {
            "byte": _hex(place.data),
            "text": text_before,
        }
    else:
        byte = _("el byte %(byte)s, al comienzo de la celda") % {
            "byte": _hex(place.data)
        }
    return (
        _(
            "La fila %(row)s del archivo CSV, %(column)s, tiene un carácter que no "
            "es texto válido (%(byte)s)."
        )
        % {"row": place.row, "column": column, "byte": byte}
        + " "
        + advice
    )


def _hex(data: bytes) -> str:
    return " ".join(f"0x{value:02X}" for value in data)
