import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from core.models import DocumentSequence
from core.numbering import format_code, number_take

pytestmark = pytest.mark.django_db


def take(kind="quotation", year=2026):
    with transaction.atomic():
        return number_take(kind=kind, year=year)


def test_first_number_of_a_series_is_one():
    assert take().code == "COT-2026-00001"


def test_numbers_follow_each_other():
    codes = [take().code for _ in range(3)]
    assert codes == ["COT-2026-00001", "COT-2026-00002", "COT-2026-00003"]


def test_new_year_starts_a_new_series():
    take(year=2026)
    take(year=2026)
    assert take(year=2027).code == "COT-2027-00001"


def test_old_year_series_continues_after_new_year():
    take(year=2026)
    take(year=2027)
    assert take(year=2026).code == "COT-2026-00002"


def test_rollback_returns_the_number():
    take()
    with pytest.raises(RuntimeError), transaction.atomic():
        number_take(kind="quotation", year=2026)
        raise RuntimeError("PDF failed")
    assert take().code == "COT-2026-00002"


def test_format_comes_from_settings(settings):
    settings.DOCUMENT_NUMBER_FORMATS = {"quotation": "Q{year}/{number}"}
    assert take().code == "Q2026/1"


def test_unknown_kind_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        take(kind="invoice")


def test_format_without_number_is_rejected():
    with pytest.raises(ImproperlyConfigured):
        format_code("COT-{year}", year=2026, number=7)


def test_format_with_unknown_field_is_rejected():
    with pytest.raises(ImproperlyConfigured):
        format_code("COT-{anio}-{number}", year=2026, number=7)


@pytest.mark.django_db(transaction=True)
def test_taking_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        number_take(kind="quotation", year=2026)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_takers_get_distinct_gapless_numbers():
    threads_count, per_thread = 20, 12
    codes = []
    errors = []
    lock = threading.Lock()
    start = threading.Barrier(threads_count)

    def worker():
        try:
            start.wait()
            for _ in range(per_thread):
                with transaction.atomic():
                    taken = number_take(kind="quotation", year=2026)
                with lock:
                    codes.append(taken.number)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    total = threads_count * per_thread
    assert errors == []
    assert len(codes) == len(set(codes))
    assert sorted(codes) == list(range(1, total + 1))
    assert (
        DocumentSequence.objects.get(kind="quotation", year=2026).last_number == total
    )
