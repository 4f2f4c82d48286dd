"""The first pass over an import file, in the importing process or in a forked
child while the rows are validated."""

import os
import signal

import pytest

from core.imports import engine, first_pass, run_import
from core.imports.engine import RowReader
from core.imports.first_pass import BackgroundScan, scan_repeated_keys
from core.imports.reading import open_table
from core.imports.report import ImportFileError
from core.tests.test_import_engine import KeyedZoneImporter, write

REPEATS = (
    "Zona;Descripción\n"
    "Zona Norte;a\n"
    "Zona Sur;b\n"
    ";\n"
    "Norte mal escrito;c\n"
    "Zona NORTE;d\n"
    "Zona Este;e\n"
    "Zona sur;b\n"
)


def scan_arguments(importer, path):
    table = open_table(path, importer.columns)
    columns = {column.key: column for column in importer.columns}
    return table, importer.scan_key, lambda source: RowReader(source, table, columns)


def test_background_scan_returns_what_scan_returns(tmp_path):
    arguments = scan_arguments(KeyedZoneImporter(), write(tmp_path, REPEATS))
    expected = scan_repeated_keys(*arguments)
    assert BackgroundScan(*arguments).result() == expected
    assert expected == (frozenset({"zona norte", "zona sur"}), 6)


def test_background_scan_raises_file_error(tmp_path):
    path = tmp_path / "zonas.csv"
    rows = b"".join(b"Zona %d;a\n" % number for number in range(5000))
    # Past the first block the reader decodes, so the header reads well.
    path.write_bytes(b"Zona;Descripci\xf3n\n" + rows + b"Zona Sur;b\x81\n")
    arguments = scan_arguments(KeyedZoneImporter(), path)
    with pytest.raises(ImportFileError) as sequential:
        scan_repeated_keys(*arguments)
    with pytest.raises(ImportFileError) as background:
        BackgroundScan(*arguments).result()
    assert background.value.message == sequential.value.message


def report_summary(report):
    return (
        report.created,
        report.updated,
        report.unchanged,
        report.rejected,
        [(match.row, match.earlier_row) for match in report.matches],
        [(issue.row, issue.message) for issue in report.errors],
    )


@pytest.fixture
def scans(monkeypatch):
    """Record each first pass run in the background."""
    started = []

    class RecordedScan(BackgroundScan):
        def __init__(self, *args):
            super().__init__(*args)
            started.append(self._pid)

    monkeypatch.setattr(engine, "BackgroundScan", RecordedScan)
    return started


@pytest.mark.django_db
def test_import_is_the_same_with_background_scan(tmp_path, monkeypatch, scans):
    path = write(tmp_path, REPEATS)
    background = run_import(KeyedZoneImporter(), path, dry_run=True, skip_invalid=True)
    assert len(scans) == 1
    monkeypatch.setattr(engine, "can_scan_in_background", lambda: False)
    in_process = run_import(KeyedZoneImporter(), path, dry_run=True, skip_invalid=True)
    assert len(scans) == 1
    assert report_summary(background) == report_summary(in_process)
    assert (background.created, background.updated) == (3, 2)


@pytest.mark.django_db
def test_waiting_records_have_a_limit(tmp_path, monkeypatch, scans):
    monkeypatch.setattr(engine, "_MAX_WAITING_RECORDS", 1)
    report = run_import(
        KeyedZoneImporter(), write(tmp_path, REPEATS), skip_invalid=True
    )
    assert len(scans) == 1
    assert (report.created, report.updated, report.rejected) == (3, 2, 1)
    assert [(match.row, match.earlier_row) for match in report.matches] == [
        (6, 2),
        (8, 3),
    ]


@pytest.mark.django_db
def test_row_count_is_known_at_first_encode(tmp_path, scans):
    counts = []

    class CountProbe(KeyedZoneImporter):
        def encode_batch(self, batch):
            counts.append(self.expected_rows)
            return super().encode_batch(batch)

    run_import(CountProbe(), write(tmp_path, REPEATS), skip_invalid=True)
    assert len(scans) == 1
    assert counts
    assert set(counts) == {6}


@pytest.mark.django_db
def test_import_with_progress_scans_first(tmp_path, scans):
    calls = []
    run_import(
        KeyedZoneImporter(),
        write(tmp_path, REPEATS),
        skip_invalid=True,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert scans == []
    assert calls[0] == (0, 6)


@pytest.mark.django_db
def test_failed_import_leaves_no_child(tmp_path, scans):
    class Failing(KeyedZoneImporter):
        def parse_row(self, row):
            raise RuntimeError("parse failed")

    with pytest.raises(RuntimeError, match="parse failed"):
        run_import(Failing(), write(tmp_path, REPEATS))
    (pid,) = scans
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_background_needs_a_single_thread(monkeypatch):
    monkeypatch.setattr(first_pass.threading, "active_count", lambda: 2)
    assert not first_pass.can_scan_in_background()
    monkeypatch.setattr(first_pass.threading, "active_count", lambda: 1)
    assert first_pass.can_scan_in_background()


def test_dead_child_leaves_the_pass_to_the_parent(tmp_path):
    arguments = scan_arguments(KeyedZoneImporter(), write(tmp_path, REPEATS))
    scan = BackgroundScan(*arguments)
    os.kill(scan._pid, signal.SIGKILL)
    assert scan.result() == (frozenset({"zona norte", "zona sur"}), 6)


@pytest.mark.django_db
def test_damage_found_by_the_scan_leaves_no_rows(tmp_path, scans):
    path = tmp_path / "zonas.csv"
    rows = b"".join(b"Zona %d;a\n" % number for number in range(5000))
    path.write_bytes(b"Zona;Descripci\xf3n\nMal;x\n" + rows + b"Zona Sur;b\x81\n")

    report = run_import(KeyedZoneImporter(), path, skip_invalid=True)

    assert len(scans) == 1
    assert [issue.row for issue in report.errors] == [0]
    assert (report.rows, report.rejected, report.created) == (0, 0, 0)
    assert not report.committed
