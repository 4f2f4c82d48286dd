"""COPY lines of an import into an empty registry, formatted in a child process."""

import multiprocessing
import os
import threading
from datetime import date

import pytest

from customers.identification import IdType
from subscribers.importer import SubscriberImporter
from subscribers.line_process import LineProcess, core_is_idle, fork_is_safe
from subscribers.models import SubscriberAccount
from subscribers.tests.test_import_rows import COMMERCIAL, GOOD, import_lines
from tests.factories import make_zone
from zones.models import Municipality


def numbered_lines(first_key, records):
    return "".join(f"{key}:{record}\n" for key, record in enumerate(records, first_key))


def failing_lines(first_key, records):
    raise ValueError(f"bad records from {first_key}")


def test_line_process_formats_each_batch():
    process = LineProcess(numbered_lines)
    try:
        process.send(5, ["a", "b"])
        first = process.receive()
        process.send(7, ["c"])
        second = process.receive()
    finally:
        process.close()
    assert first == "5:a\n6:b\n"
    assert second == "7:c\n"
    assert multiprocessing.active_children() == []


def test_line_process_error_ends_child():
    process = LineProcess(failing_lines)
    try:
        process.send(1, ["a"])
        with pytest.raises(EOFError):
            process.receive()
    finally:
        process.close()
    assert multiprocessing.active_children() == []


def test_busy_machine_has_no_idle_core(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (3.5, 3.0, 2.0))
    assert not core_is_idle()


def test_quiet_machine_has_idle_core(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.3, 0.4))
    assert core_is_idle()


def test_fork_is_unsafe_in_thread():
    results = []
    thread = threading.Thread(target=lambda: results.append(fork_is_safe()))
    thread.start()
    thread.join()
    assert results == [False]


@pytest.fixture
def started(monkeypatch):
    """Record each LineProcess the import starts, whatever the machine's load."""
    monkeypatch.setattr("subscribers.importer.core_is_idle", lambda: True)
    processes = []
    original = LineProcess.__init__

    def record(self, format_lines):
        original(self, format_lines)
        processes.append(self)

    monkeypatch.setattr(LineProcess, "__init__", record)
    return processes


@pytest.mark.postgresql
def test_empty_registry_import_formats_in_child(db, tmp_path, started):
    report = import_lines(tmp_path, GOOD, COMMERCIAL)
    assert report.created == 2
    assert len(started) == 1
    assert multiprocessing.active_children() == []
    accounts = SubscriberAccount.objects.all()
    assert [account.search_text for account in accounts] == [
        account.build_search_text() for account in accounts
    ]


@pytest.mark.postgresql
def test_failed_child_formats_in_process(db, tmp_path, monkeypatch, started):
    def fail(self):
        raise EOFError

    monkeypatch.setattr(LineProcess, "receive", fail)
    report = import_lines(tmp_path, GOOD, COMMERCIAL)
    assert report.created == 2
    assert len(started) == 1
    assert multiprocessing.active_children() == []
    assert SubscriberAccount.history.count() == 2


@pytest.mark.postgresql
def test_child_formats_as_in_process(db, started):
    zone = make_zone("Melgar")
    zone.municipalities.add(Municipality.objects.get(dane_code="73449"))
    importer = SubscriberImporter()
    importer.prepare()
    records = [
        {
            "account_code": "449000001",
            "id_type": IdType.CC,
            "id_number": "1019968196",
            "check_digit": "",
            "check_digit_mismatch": False,
            "name": "LUCERO DÍAZ \\ PORTILLA",
            "address": "Calle 10 No. 5-32\tB",
            "barrio": "CENTRO",
            "municipality_id": "73449",
            "use_class": SubscriberAccount.UseClass.RESIDENTIAL,
            "estrato": 3,
            "producer_type": "",
            "status": SubscriberAccount.Status.ACTIVE,
            "linked_on": date(2021, 7, 12),
        },
        {
            "account_code": "449000002",
            "id_type": "",
            "id_number": "",
            "check_digit": "",
            "check_digit_mismatch": False,
            "name": "SIN INFORMACION",
            "municipality_id": "73449",
            "use_class": SubscriberAccount.UseClass.COMMERCIAL,
            "estrato": None,
            "producer_type": SubscriberAccount.ProducerType.LARGE,
            "status": SubscriberAccount.Status.SUSPENDED,
        },
    ]
    try:
        importer.line_process.send(10, records)
        in_child = importer.line_process.receive()
    finally:
        importer._stop_line_process()
    assert len(started) == 1
    assert in_child == importer._format_copy_lines(10, records)
    assert in_child.startswith("10\t449000001\t")
    assert f"\t{zone.pk}\t" in in_child


@pytest.mark.postgresql
def test_history_of_every_batch_is_written(db, tmp_path, monkeypatch):
    monkeypatch.setattr("subscribers.importer.EMPTY_REGISTRY_BATCH_SIZE", 1)
    third = GOOD.replace("449000001", "449000003")
    report = import_lines(tmp_path, GOOD, COMMERCIAL, third)
    assert report.created == 3
    history = SubscriberAccount.history.order_by("account_code")
    assert [(record.account_code, record.history_type) for record in history] == [
        ("449000001", "+"),
        ("449000002", "+"),
        ("449000003", "+"),
    ]
    assert {record.id for record in history} == set(
        SubscriberAccount.objects.values_list("id", flat=True)
    )


@pytest.mark.postgresql
def test_busy_machine_formats_in_process(db, tmp_path, monkeypatch):
    def refuse(self, format_lines):
        raise AssertionError("no child process on a busy machine")

    monkeypatch.setattr("subscribers.importer.core_is_idle", lambda: False)
    monkeypatch.setattr(LineProcess, "__init__", refuse)
    report = import_lines(tmp_path, GOOD, COMMERCIAL)
    assert report.created == 2
    assert SubscriberAccount.history.count() == 2
