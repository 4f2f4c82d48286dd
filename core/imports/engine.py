"""The import engine: read a file, validate every row, write in batches, report.

An importer (a subclass of Importer, one per kind of file) declares its columns and
turns one row into a record; the engine does the rest. Everything is written inside
one transaction: a dry run, or a run with rejected rows and no `skip_invalid`, is
rolled back, so a file is imported whole or not at all.
"""

import gc
import logging
import math
import sys
import threading
from collections.abc import Callable, Hashable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, ClassVar

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.imports.columns import Column, ForeignKind
from core.imports.first_pass import (
    BackgroundScan,
    can_scan_in_background,
    scan_repeated_keys,
)
from core.imports.parsers import CellError, cell_text, check_text_length
from core.imports.reading import SourceRow, Table, open_table
from core.imports.report import (
    ImportFileError,
    ImportReport,
    Issue,
    Match,
    Outcome,
    Severity,
    cell_prefix,
)
from core.imports.writer import BatchWriter

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]


class RowReader:
    """One data row as an importer sees it: cells by column key, and the place to
    record problems. Messages name the row and the column as the file writes it."""

    __slots__ = (
        "_cells",
        "_columns",
        "_positions",
        "_table",
        "issues",
        "number",
        "rejected",
        "source",
    )

    def __init__(self, source: SourceRow, table: Table, columns: dict[str, Column]):
        self.number = source.number
        self.source = source
        self._cells = source.cells
        self._positions = table.header.positions
        self._table = table
        self._columns = columns
        self.issues: list[Issue] = []
        self.rejected = False

    @property
    def table(self) -> Table:
        """The file the row comes from."""
        return self._table

    def has(self, key: str) -> bool:
        """True when the file has the column, even if this row leaves it empty."""
        return key in self._positions

    def raw(self, key: str) -> Any:
        position = self._positions.get(key)
        if position is None or position >= len(self._cells):
            return None
        return self._cells[position]

    def text(self, key: str) -> str:
        """The cell as trimmed text with single spaces ('' when empty or absent)."""
        position = self._positions.get(key)
        if position is None or position >= len(self._cells):
            return ""
        value = self._cells[position]
        if isinstance(value, str):
            # The common CSV cell, without a call to cell_text.
            return " ".join(value.split())
        return cell_text(value)

    def text_map(self) -> dict[str, str]:
        """Return text(key) of every column the file has, read in one pass: an
        importer that needs most cells saves a method call per cell."""
        keys, pick = _cell_picker(self._table)
        cells = self._cells
        try:
            picked = pick(cells)
            # Joined by NUL, which is not white space, to check every cell at once.
            line = "\0".join(picked)
        except (IndexError, TypeError):
            # A short row, or cells that are not text (XLSX numbers and dates).
            width = len(cells)
            return {
                key: cell_text(cells[position]) if position < width else ""
                for key, position in self._positions.items()
            }
        # When the line has no white space other than single spaces between
        # words, and no space next to a NUL, every cell equals its text().
        if " ".join(line.split()) == line and " \0" not in line and "\0 " not in line:
            return dict(zip(keys, picked, strict=True))
        return {
            key: " ".join(value.split())
            for key, value in zip(keys, picked, strict=True)
        }

    def texts(self, keys: tuple[str, ...]) -> list[str]:
        """Return text(key) for each of `keys`, in one call per row."""
        return _text_getter(self._table, keys)(self._cells)

    def check_length(self, key: str, text: str, max_length: int | None) -> bool:
        """Record an error that rejects the row when `text`, the cell of `key`,
        is longer than `max_length` characters. Returns whether it fits."""
        try:
            check_text_length(text, max_length)
        except CellError as error:
            self.error(key, error.message, text)
            return False
        return True

    def column_name(self, key: str) -> str:
        return self._table.header.headers.get(key) or self._columns[key].label

    def error(self, key: str, message: str, value: Any = None) -> None:
        """Record a problem that rejects the row."""
        self._add(key, message, value, Severity.ERROR)
        self.rejected = True

    def warning(self, key: str, message: str, value: Any = None) -> None:
        """Record a problem that keeps the row without this value."""
        self._add(key, message, value, Severity.WARNING)

    def parse(
        self,
        key: str,
        parser: Callable[[Any], Any],
        *,
        severity: Severity = Severity.WARNING,
    ) -> Any:
        """Run `parser` on the cell; on CellError record it and return None."""
        raw = self.raw(key)
        try:
            return parser(raw)
        except CellError as error:
            if severity == Severity.ERROR:
                self.error(key, error.message, raw)
            else:
                self.warning(key, error.message + " " + _("Se dejó vacío."), raw)
            return None

    def _add(self, key: str, message: str, value: Any, severity: Severity) -> None:
        if value is None:
            value = self.raw(key)
        column = self.column_name(key)
        text = cell_prefix(self.number, column) + message
        self.issues.append(
            Issue(
                row=self.number,
                column=column,
                message=text,
                value=cell_text(value),
                severity=severity,
            )
        )


def _cell_picker(table: Table) -> tuple[tuple[str, ...], Callable]:
    """Return the keys of the columns the file has and a function of a row's
    cells that returns their cells in the same order, as a tuple."""
    picker = table.text_getters.get(None)
    if picker is None:
        positions = table.header.positions
        keys = tuple(positions)
        if len(keys) == 1:
            (position,) = positions.values()

            def pick(cells: Sequence) -> tuple:
                return (cells[position],)

        else:
            pick = itemgetter(*positions.values())
        picker = table.text_getters[None] = (keys, pick)
    return picker


def _text_getter(table: Table, keys: tuple[str, ...]) -> Callable:
    getter = table.text_getters.get(keys)
    if getter is None:
        getter = table.text_getters[keys] = _build_text_getter(table, keys)
    return getter


def _build_text_getter(table: Table, keys: tuple[str, ...]) -> Callable:
    """Return a function of a row's cells that returns the text of each key's
    cell ('' for a column the file lacks or a short row), reading each cell once."""
    positions = table.header.positions
    placed = [
        (index, positions[key]) for index, key in enumerate(keys) if key in positions
    ]
    width = max((position for _index, position in placed), default=-1) + 1
    count = len(keys)

    def texts(cells: Sequence) -> list[str]:
        values = [""] * count
        short = len(cells) < width
        for index, position in placed:
            if short and position >= len(cells):
                continue
            value = cells[position]
            if value.__class__ is str:
                values[index] = " ".join(value.split())
            elif value is not None:
                values[index] = cell_text(value)
        return values

    return texts


@dataclass(slots=True)
class PendingRecord:
    """A valid record waiting in a batch, with the earlier row it repeats, if any."""

    row: int
    record: Any
    key: Hashable | None
    earlier_row: int | None = None


@dataclass(slots=True)
class WriteResult:
    """What writing one record did; `existing` describes the stored record it
    matched (empty when the record is new), and `changes` what an update changed
    in it, written like describe_merge's text (empty when nothing is described)."""

    outcome: Outcome
    existing: str = ""
    changes: str = ""


class Importer:
    """Base class of every import. Subclasses set `kind`, `title` and `columns`
    and implement parse_row, record_key and write_batch; see
    docs/adding-an-import.md."""

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    columns: ClassVar[Sequence[Column]] = ()
    # Other kinds of file people upload here by mistake, rejected by their
    # headers before any row is read.
    foreign_kinds: ClassVar[Sequence[ForeignKind]] = ()
    batch_size: ClassVar[int] = 2000
    # True when write_batch may run in a worker thread on PostgreSQL while the
    # next rows are parsed (see core/imports/writer.py). An importer that sets it
    # calls wait_for_writes() before it queries the database in parse_row.
    write_behind: ClassVar[bool] = False

    def __init__(self, *, user=None, dry_run: bool = False):
        self.user = user
        self.dry_run = dry_run
        self.notes: list[str] = []
        # The number of data rows (blank and footer rows left out), counted by
        # the first pass; None when there is no first pass (see scan_key). The
        # first pass may still run in a child process during prepare(), but
        # has ended before the first encode_batch() call.
        self.expected_rows: int | None = None

    def wait_for_writes(self) -> None:
        """Wait until the batch being written, if any, is finished, so that
        parse_row may use the database connection."""
        writer = getattr(self, "_writer", None)
        if writer is not None:
            writer.wait()

    def prepare(self) -> None:
        """Load lookups (municipalities, zones...) once, inside the transaction."""

    def finish(self) -> None:
        """Run once after the last batch, inside the transaction, also when it is
        about to be rolled back."""

    def after_commit(self, report: ImportReport) -> None:
        """Run once after the import's transaction committed, outside it unless
        the caller's own transaction encloses the import (as in tests)."""

    def skip_row(self, row: RowReader) -> bool:
        """Return True for rows that carry no record (section titles, notes)."""
        return False

    def parse_row(self, row: RowReader) -> Any:
        """Validate one row and return its record, or None when it is rejected."""
        raise NotImplementedError

    def record_key(self, record: Any) -> Hashable | None:
        """Return the key that identifies the record (repeats are matched on it)."""
        return None

    def scan_key(self, row: RowReader) -> Hashable | None:
        """Return the row's key cheaply, or None when it has none. Importers that
        implement it get a first pass over the file that finds repeated keys, so
        the rows of one key are merged (merge_records) and written once, and a
        re-import of the same file leaves every record unchanged."""
        return None

    def merge_records(self, earlier: Any, later: Any) -> tuple[Any, bool]:
        """Return a later row of the same key merged over the earlier ones, and
        whether the later row changed anything."""
        return later, True

    def key_display(self, record: Any) -> str:
        return str(self.record_key(record) or "")

    def describe_merge(self, earlier: Any, merged: Any) -> str:
        """Return what a later row of the same key changed, for the report: each
        preview_row value that differs, as «Columna: antes → después»."""
        before, after = self.preview_row(earlier), self.preview_row(merged)
        return "; ".join(
            f"{label}: {before.get(label) or '—'} → {value or '—'}"
            for label, value in after.items()
            if before.get(label, "") != value
        )

    def preview_row(self, record: Any) -> dict[str, str]:
        """Return the record as Spanish column label → displayed value."""
        return {}

    def encode_batch(self, batch: list[PendingRecord]) -> Any:
        """Return what write_batch receives for `batch`; by default the batch.

        The engine calls this in the parsing thread, so it must not use the
        database. An importer whose batches are written behind (write_behind)
        can format its rows here as COPY text, which leaves the writer thread
        only the database work. Python code in the writer thread would compete
        with the parser for the interpreter lock while the server waits."""
        return batch

    def write_batch(self, batch: Any) -> list[WriteResult]:
        """Write a batch of valid records (as encode_batch returned it) and
        return one result per record, in order. No key repeats inside one
        batch."""
        raise NotImplementedError


@dataclass
class _Group:
    """Rows of the file that share a key, merged into one record."""

    first: PendingRecord
    # (row, whether it changed the record, describe_merge's text) of each
    # later row.
    later: list[tuple[int, bool, str]]


@dataclass
class _Run:
    importer: Importer
    report: ImportReport
    skip_invalid: bool
    progress: ProgressCallback | None
    preview_limit: int
    total: int = 0
    writing: bool = True
    # Whether the file gets a first pass, and the keys it found on more than
    # one row. While `scan` runs in a child process, `repeated` is not known yet.
    scanned: bool = False
    repeated: frozenset = frozenset()
    scan: BackgroundScan | None = None
    writer: BatchWriter | None = None


def run_import(
    importer: Importer,
    path: Path,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: ProgressCallback | None = None,
    preview_limit: int = 20,
) -> ImportReport:
    """Import the file at `path` with `importer` and return the report.

    Rows are validated and written in batches inside one transaction. A dry run is
    rolled back at the end, and so is a run with a rejected row unless
    `skip_invalid`; then nothing is written and the counts of written rows are 0.
    A dry run counts what would be written, rejected rows aside. A file that cannot
    be read, wholly or past some row, yields a report with one error on row 0
    and no rows.
    """
    report = ImportReport(dry_run=dry_run)
    importer.dry_run = dry_run
    try:
        table = open_table(path, importer.columns, importer.foreign_kinds)
    except ImportFileError as error:
        report.errors.append(Issue(row=0, column="", message=error.message))
        return report
    report.header_row = table.header_row
    report.columns = dict(table.header.headers)

    run = _Run(importer, report, skip_invalid, progress, preview_limit)
    try:
        with _tuned_interpreter():
            scans = type(importer).scan_key is not Importer.scan_key
            if scans and progress is None and can_scan_in_background():
                # The progress total would come from the first pass, so only
                # imports without progress run it beside the second pass.
                run.scan = BackgroundScan(table, *_scan_functions(importer, table))
                run.scanned = True
            elif scans:
                run.repeated, importer.expected_rows = scan_repeated_keys(
                    table, *_scan_functions(importer, table)
                )
                run.scanned = True
                run.total = importer.expected_rows
            elif progress is not None:
                run.total = table.count_data_rows()
            if progress is not None:
                progress(0, run.total)
            try:
                _run_in_transaction(run, table)
            finally:
                if run.scan is not None:
                    run.scan.close()
        if report.committed:
            importer.after_commit(report)
    except ImportFileError as error:
        # Damage past the header (a broken sheet, a bad CSV quote) surfaces while
        # rows are read; the transaction has rolled back, so nothing was written.
        # What the rows read before it showed is dropped, so that the report
        # does not depend on how far the reading got (the first pass may run
        # beside it and find the damage first).
        report.rows = report.rejected = report.skipped = report.blank_rows = 0
        report.errors[:] = [Issue(row=0, column="", message=error.message)]
        report.preview.clear()
        report.notes.clear()
        run.writing = False
        report.committed = False

    if not run.writing:
        report.created = report.updated = report.unchanged = 0
        report.matches.clear()
    report.matches.sort(key=lambda match: match.row)
    return report


# Python's cyclic garbage collector runs once allocated container objects
# outnumber freed ones by 700 (the default threshold). An import keeps objects
# alive per row (seen keys, batches, issues), so it triggers many runs that find
# little: about a tenth of the customer import's CPU time on 100,000 rows.
_IMPORT_GC_THRESHOLD = 50_000
# After each database call, the writer thread waits for the interpreter lock
# until the parser lets go of it, every 5 ms by default, and the server idles
# meanwhile. With 0.5 ms, the rows of a 200,000-account registry took 4.3 s
# instead of 5.1 s.
_IMPORT_SWITCH_INTERVAL = 0.0005
_tuning_lock = threading.Lock()
_tuning_users = 0
_saved_settings: tuple = ()


@contextmanager
def _tuned_interpreter():
    """Run the garbage collector's youngest generation less often, and switch
    threads more often, while the block runs. The settings are global to the
    process, so imports running in several threads share them, and the last
    one to finish restores them."""
    global _tuning_users, _saved_settings
    with _tuning_lock:
        if _tuning_users == 0:
            threshold = gc.get_threshold()
            _saved_settings = (threshold, sys.getswitchinterval())
            gc.set_threshold(_IMPORT_GC_THRESHOLD, *threshold[1:])
            sys.setswitchinterval(_IMPORT_SWITCH_INTERVAL)
        _tuning_users += 1
    try:
        yield
    finally:
        with _tuning_lock:
            _tuning_users -= 1
            if _tuning_users == 0:
                threshold, interval = _saved_settings
                gc.set_threshold(*threshold)
                sys.setswitchinterval(interval)


def _run_in_transaction(run: _Run, table: Table) -> None:
    """Validate and write every row inside one transaction, rolled back for a dry
    run or a rejected row without `skip_invalid`."""
    importer, report = run.importer, run.report
    with transaction.atomic():
        importer.prepare()
        run.writer = BatchWriter(
            importer.write_batch,
            lambda batch, results: _count_batch(run, batch, results),
            background=importer.write_behind and connection.vendor == "postgresql",
        )
        importer._writer = run.writer
        try:
            _process_rows(run, table)
            run.writer.wait()
        finally:
            run.writer.close()
            importer._writer = None
        importer.finish()
        report.notes.extend(importer.notes)
        repeats = sum(1 for match in report.matches if match.earlier_row is not None)
        if repeats:
            report.notes.append(_repeats_note(repeats, importer.dry_run))
        if report.rows == 0:
            report.errors.append(
                Issue(row=0, column="", message=_no_data_rows_message(table))
            )
            run.writing = False
        if importer.dry_run or not run.writing:
            transaction.set_rollback(True)
        else:
            report.committed = True


def _repeats_note(count: int, dry_run: bool) -> str:
    """Return the note that explains how rows repeating an earlier row count."""
    if dry_run:
        text = ngettext(
            "%(count)s fila repite un registro de una fila anterior del archivo: se "
            "combinará con ella y cuenta como actualizada (o sin cambios si no cambia "
            "nada), aunque el registro sea nuevo. Vea las coincidencias.",
            "%(count)s filas repiten un registro de una fila anterior del archivo: se "
            "combinarán con ella y cuentan como actualizadas (o sin cambios si no "
            "cambian nada), aunque el registro sea nuevo. Vea las coincidencias.",
            count,
        )
    else:
        text = ngettext(
            "%(count)s fila repetía un registro de una fila anterior del archivo: se "
            "combinó con ella y cuenta como actualizada (o sin cambios si no cambió "
            "nada). Vea las coincidencias.",
            "%(count)s filas repetían un registro de una fila anterior del archivo: "
            "se combinaron con ella y cuentan como actualizadas (o sin cambios si no "
            "cambiaron nada). Vea las coincidencias.",
            count,
        )
    return text % {"count": count}


def _no_data_rows_message(table: Table) -> str:
    return _(
        "El archivo no tiene filas de datos: debajo de los encabezados (fila "
        "%(row)s) no hay ninguna fila que importar. Agregue las filas y cargue el "
        "archivo de nuevo."
    ) % {"row": table.header_row}


def _scan_functions(importer: Importer, table: Table) -> tuple[Callable, Callable]:
    """Return the scan_key and make_reader arguments of scan_repeated_keys."""
    columns = {column.key: column for column in importer.columns}
    return importer.scan_key, lambda source: RowReader(source, table, columns)


def _finish_scan(run: _Run) -> None:
    """Take the result of the first pass running in the background."""
    run.repeated, run.importer.expected_rows = run.scan.result()
    run.scan = None


# Valid records parsed while the first pass still runs in the background wait
# for its result. At most this many wait, and then parsing waits too.
_MAX_WAITING_RECORDS = 10_000


@dataclass
class _Placement:
    """The state that valid records pass through on their way to the writer:
    the row of each key seen so far, the batch being filled and its keys, and
    the groups of repeated keys (written last)."""

    seen: dict[Hashable, int]
    batch: list[PendingRecord]
    batch_keys: set[Hashable]
    groups: dict[Hashable, _Group]


def _process_rows(run: _Run, table: Table) -> None:
    importer, report = run.importer, run.report
    columns = {column.key: column for column in importer.columns}
    # NOTE: memory grows with the file only through `seen` (one entry per distinct
    # key, about 100 bytes, or per repeated key after a first pass), `groups` (the
    # merged record of each repeated key, written last) and the report's issues
    # and matches (one per problem or repeat). Rows themselves are streamed and
    # written in batches.
    placement = _Placement(seen={}, batch=[], batch_keys=set(), groups={})
    # (row number, record, data rows read) parsed before the first pass ended.
    waiting: list[tuple[int, Any, int]] = []
    done = 0
    # Only a CSV row longer than its header can hold shifted cells.
    width = table.width or math.inf

    for source in table.rows():
        if source.is_blank_or_footer():
            report.skipped += 1
            report.blank_rows += 1
            continue
        done += 1
        row = RowReader(source, table, columns)
        if importer.skip_row(row):
            report.skipped += 1
            continue

        report.rows += 1
        length = table.shifted_length(source) if len(source.cells) > width else 0
        if length:
            report.errors.append(_shifted_row_issue(source, table, length))
            record = None
        else:
            record = importer.parse_row(row)
            report.errors.extend(row.issues)
        if record is None or row.rejected:
            report.rejected += 1
            if not run.skip_invalid and not importer.dry_run and run.writing:
                # Everything will be rolled back: keep validating, stop writing.
                run.writing = False
                placement.batch.clear()
            continue
        if len(report.preview) < run.preview_limit:
            report.preview.append({"row": row.number, **importer.preview_row(record)})

        if run.scan is None:
            _place(run, placement, row.number, record, done)
            continue
        waiting.append((row.number, record, done))
        if len(waiting) >= _MAX_WAITING_RECORDS or run.scan.ready():
            _place_waiting(run, placement, waiting)

    if run.scan is not None:
        _place_waiting(run, placement, waiting)
    if run.writing:
        _flush(run, placement.batch, placement.batch_keys)
        _flush_groups(run, list(placement.groups.values()))
    run.writer.wait()
    if run.progress is not None:
        run.progress(run.total, run.total)


def _place_waiting(run: _Run, placement: _Placement, waiting: list) -> None:
    """Wait for the first pass, then place the records that waited for it."""
    _finish_scan(run)
    for number, record, done in waiting:
        _place(run, placement, number, record, done)
    waiting.clear()


def _place(
    run: _Run, placement: _Placement, number: int, record: Any, done: int
) -> None:
    """Put the valid record of row `number` in the batch, or in its key's group
    when the first pass found the key repeated. `done` is the number of data
    rows read up to this one, for progress."""
    key = run.importer.record_key(record)
    seen = placement.seen
    earlier_row = seen.get(key) if key is not None else None
    if (
        key is not None
        and earlier_row is None
        and (not run.scanned or key in run.repeated)
    ):
        # After a first pass, only the keys it found repeated can have an
        # earlier row.
        seen[key] = number
    if not run.writing:
        return
    if key in run.repeated:
        _add_to_group(
            run, placement.groups, PendingRecord(number, record, key, earlier_row)
        )
        return
    batch, batch_keys = placement.batch, placement.batch_keys
    if key is not None and key in batch_keys:
        _flush(run, batch, batch_keys)
    batch.append(PendingRecord(number, record, key, earlier_row))
    if key is not None:
        batch_keys.add(key)
    if len(batch) >= run.importer.batch_size:
        _flush(run, batch, batch_keys, done)


def _shifted_row_issue(source: SourceRow, table: Table, length: int) -> Issue:
    """Return the error of a CSV row with `length` cells, more than its header."""
    message = _(
        "Fila %(row)s: tiene %(length)s celdas y el encabezado %(width)s columnas, "
        "así que sus valores quedarían corridos a columnas que no les "
        "corresponden. Suele pasar cuando un valor lleva el separador de columnas "
        "del archivo (%(delimiter)s): quítelo o encierre ese valor entre comillas, "
        "y cargue el archivo de nuevo."
    ) % {
        "row": source.number,
        "length": length,
        "width": table.width,
        "delimiter": _("tabulador")
        if table.delimiter == "\t"
        else f"«{table.delimiter}»",
    }
    return Issue(row=source.number, column="", message=message)


def _add_to_group(run: _Run, groups: dict, pending: PendingRecord) -> None:
    group = groups.get(pending.key)
    if group is None:
        groups[pending.key] = _Group(first=pending, later=[])
        return
    earlier = group.first.record
    merged, changed = run.importer.merge_records(earlier, pending.record)
    changes = run.importer.describe_merge(earlier, merged) if changed else ""
    group.first.record = merged
    group.later.append((pending.row, changed, changes))


def _flush_groups(run: _Run, groups: list[_Group]) -> None:
    """Write each merged group once. The first row takes the write's outcome and
    changes, which compare the merged record with the stored one. A later row
    counts as updated when it changed the record, else as unchanged."""
    size = run.importer.batch_size
    for start in range(0, len(groups), size):
        chunk = groups[start : start + size]
        batch = run.importer.encode_batch([group.first for group in chunk])
        run.writer.submit(batch, (chunk, None))


def _count_batch(run: _Run, work: tuple, results: list[WriteResult]) -> None:
    """Count the results of a written batch of PendingRecords or _Groups, then
    report the rows read up to that batch, if known, to the progress callback.

    The writer calls this when no batch is in flight, so the callback may use
    the database connection (jobs store progress with it).
    """
    batch, rows_done = work
    for item, result in zip(batch, results, strict=True):
        if isinstance(item, PendingRecord):
            _count(run, item, result)
            continue
        group = item
        _count(run, group.first, result)
        for row, changed, changes in group.later:
            outcome = Outcome.UNCHANGED
            if changed and result.outcome != Outcome.UNCHANGED:
                outcome = Outcome.UPDATED
            later = PendingRecord(
                row, group.first.record, group.first.key, group.first.row
            )
            _count(run, later, WriteResult(outcome), changes)
    if rows_done is not None and run.progress is not None:
        run.progress(rows_done, run.total)


def _count(
    run: _Run, pending: PendingRecord, result: WriteResult, changes: str = ""
) -> None:
    run.report.count(result.outcome)
    if pending.earlier_row is not None:
        key = run.importer.key_display(pending.record)
        run.report.matches.append(
            Match(
                row=pending.row,
                key=key,
                earlier_row=pending.earlier_row,
                changes=changes,
            )
        )
    elif result.existing:
        key = run.importer.key_display(pending.record)
        run.report.matches.append(
            Match(
                row=pending.row,
                key=key,
                existing=result.existing,
                changes=result.changes,
            )
        )


def _flush(
    run: _Run, batch: list[PendingRecord], batch_keys: set, rows_done: int | None = None
) -> None:
    if not batch:
        return
    pending = list(batch)
    run.writer.submit(run.importer.encode_batch(pending), (pending, rows_done))
    batch.clear()
    batch_keys.clear()
