import hashlib
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from core.models import DocumentSequence
from quotations import services
from quotations.models import Quotation
from quotations.tests.helpers import make_quotation

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(advisor, customer, debris):
    return make_quotation(customer=customer, advisor=advisor, lines=[(debris, "2")])


def test_draft_has_no_code(draft):
    assert draft.code == ""


def test_issue_assigns_next_code(draft, advisor):
    issued = services.quotation_issue(quotation=draft, user=advisor)
    year = timezone.localdate().year
    assert issued.code == f"COT-{year}-00001"


def test_issue_sets_status_issued(draft, advisor):
    issued = services.quotation_issue(quotation=draft, user=advisor)
    assert issued.status == Quotation.Status.ISSUED


def test_issue_stores_pdf_with_its_checksum(draft, advisor):
    issued = services.quotation_issue(quotation=draft, user=advisor)
    content = issued.pdf_file.read()
    assert hashlib.sha256(content).hexdigest() == issued.pdf_sha256


def test_issue_twice_is_refused(draft, advisor):
    services.quotation_issue(quotation=draft, user=advisor)
    with pytest.raises(ValidationError, match="No se puede pasar"):
        services.quotation_issue(quotation=draft, user=advisor)


def test_issue_without_lines_is_refused(advisor, customer):
    empty = make_quotation(customer=customer, advisor=advisor)
    with pytest.raises(ValidationError, match="no tiene ítems"):
        services.quotation_issue(quotation=empty, user=advisor)


def broken_render(quotation):
    raise OSError("disk full")


def test_failed_pdf_still_issues(draft, advisor, monkeypatch):
    monkeypatch.setattr(services, "quotation_render_pdf", broken_render)
    issued = services.quotation_issue(quotation=draft, user=advisor)
    issued.refresh_from_db()
    assert issued.status == Quotation.Status.ISSUED
    assert issued.code.endswith("-00001")
    assert issued.pdf_sha256 == ""


def test_failed_pdf_leaves_no_gap(advisor, customer, debris, monkeypatch):
    first = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "1")])
    second = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "1")])
    monkeypatch.setattr(services, "quotation_render_pdf", broken_render)
    services.quotation_issue(quotation=first, user=advisor)
    monkeypatch.undo()
    issued = services.quotation_issue(quotation=second, user=advisor)
    assert issued.code.endswith("-00002")


def test_missing_pdf_rendered_on_first_read(draft, advisor, monkeypatch):
    monkeypatch.setattr(services, "quotation_render_pdf", broken_render)
    issued = services.quotation_issue(quotation=draft, user=advisor)
    monkeypatch.undo()

    content = services.quotation_pdf_bytes(issued)
    issued.refresh_from_db()
    assert content.startswith(b"%PDF")
    assert issued.pdf_sha256 == hashlib.sha256(content).hexdigest()


def test_stored_pdf_never_replaced(draft, advisor, monkeypatch):
    issued = services.quotation_issue(quotation=draft, user=advisor)
    stale = Quotation.objects.get(pk=issued.pk)
    stale.pdf_sha256 = ""
    monkeypatch.setattr(
        services, "quotation_render_pdf", lambda quotation: b"%PDF-1.7 other"
    )
    services.quotation_store_pdf(quotation=stale)
    issued.refresh_from_db()
    assert stale.pdf_sha256 == issued.pdf_sha256
    assert services.quotation_pdf_bytes(issued) != b"%PDF-1.7 other"


def test_draft_has_no_pdf_to_render(draft):
    with pytest.raises(ValidationError, match="emítala primero"):
        services.quotation_pdf_bytes(draft)


def test_failed_pdf_save_removes_written_file(draft, advisor, monkeypatch, media_root):
    original_save = Quotation.save

    def failing_save(self, *args, **kwargs):
        if "pdf_file" in (kwargs.get("update_fields") or ()):
            raise RuntimeError("database gone")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Quotation, "save", failing_save)
    issued = services.quotation_issue(quotation=draft, user=advisor)
    assert issued.pdf_sha256 == ""
    assert list(media_root.rglob("*.pdf")) == []


@pytest.mark.django_db(transaction=True)
def test_pdf_renders_outside_any_transaction(draft, advisor, monkeypatch):
    # Outside a transaction no lock is held, the numbering lock included.
    in_transaction = []

    def recording_render(quotation):
        in_transaction.append(connection.in_atomic_block)
        return b"%PDF-1.7 test"

    monkeypatch.setattr(services, "quotation_render_pdf", recording_render)
    services.quotation_issue(quotation=draft, user=advisor)
    assert in_transaction == [False]


def test_codes_follow_each_other(advisor, customer, debris):
    codes = []
    for _ in range(3):
        draft = make_quotation(
            customer=customer, advisor=advisor, lines=[(debris, "1")]
        )
        codes.append(services.quotation_issue(quotation=draft, user=advisor).code)
    assert [code[-5:] for code in codes] == ["00001", "00002", "00003"]


def test_new_year_starts_new_series(advisor, customer, debris):
    with time_machine.travel("2026-12-31 10:00 -05:00", tick=False):
        draft = make_quotation(
            customer=customer, advisor=advisor, lines=[(debris, "1")]
        )
        last_of_year = services.quotation_issue(quotation=draft, user=advisor)
    with time_machine.travel("2027-01-04 10:00 -05:00", tick=False):
        draft = make_quotation(
            customer=customer, advisor=advisor, lines=[(debris, "1")]
        )
        first_of_year = services.quotation_issue(quotation=draft, user=advisor)
    assert last_of_year.code == "COT-2026-00001"
    assert first_of_year.code == "COT-2027-00001"


def test_below_tariff_price_needs_reason(advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor)
    with pytest.raises(ValidationError, match="justificación"):
        services.quotation_line_add(
            quotation=draft,
            tariff_item=debris,
            quantity=Decimal("1"),
            unit_price=Decimal("90000"),
        )


@pytest.fixture
def discounted(advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor)
    services.quotation_line_add(
        quotation=draft,
        tariff_item=debris,
        quantity=Decimal("10"),
        unit_price=Decimal("90000"),
        price_reason="Cliente frecuente, volumen alto",
    )
    draft.refresh_from_db()
    return draft


def test_below_tariff_blocks_issue(discounted, advisor):
    with pytest.raises(ValidationError, match="director de ventas"):
        services.quotation_issue(quotation=discounted, user=advisor)


def test_below_tariff_issues_after_director_approval(discounted, advisor, director):
    services.quotation_submit_for_approval(quotation=discounted, user=advisor)
    services.quotation_decide_prices(quotation=discounted, user=director, approve=True)
    issued = services.quotation_issue(quotation=discounted, user=advisor)
    assert issued.code != ""


def test_advisor_cannot_approve_prices(discounted, advisor):
    services.quotation_submit_for_approval(quotation=discounted, user=advisor)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.quotation_decide_prices(
            quotation=discounted, user=advisor, approve=True
        )


def test_rejected_prices_block_issue(discounted, advisor, director):
    services.quotation_submit_for_approval(quotation=discounted, user=advisor)
    services.quotation_decide_prices(
        quotation=discounted, user=director, approve=False, note="Descuento excesivo"
    )
    with pytest.raises(ValidationError):
        services.quotation_issue(quotation=discounted, user=advisor)


def test_line_change_voids_approval(discounted, advisor, director, pruning):
    services.quotation_submit_for_approval(quotation=discounted, user=advisor)
    services.quotation_decide_prices(quotation=discounted, user=director, approve=True)
    services.quotation_line_add(
        quotation=discounted, tariff_item=pruning, quantity=Decimal("1")
    )
    discounted.refresh_from_db()
    assert discounted.price_approval == Quotation.PriceApproval.REQUIRED


def test_stale_draft_cannot_be_issued(advisor, customer, debris):
    draft = make_quotation(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "1")],
        on=timezone.localdate() - timedelta(days=40),
    )
    with pytest.raises(ValidationError, match="vigencia"):
        services.quotation_issue(quotation=draft, user=advisor)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_issue_has_no_duplicate_and_no_gap(
    advisor, customer, debris, monkeypatch
):
    # 200 real renders would take minutes on a busy machine; a fixed PDF keeps the
    # test on numbering. The PDF tests render real documents.
    monkeypatch.setattr(
        services, "quotation_render_pdf", lambda quotation: b"%PDF-1.7 " + b"x" * 64
    )
    threads_count, per_thread = 20, 10
    drafts = [
        make_quotation(customer=customer, advisor=advisor, lines=[(debris, "1")])
        for _ in range(threads_count * per_thread)
    ]
    errors = []
    start = threading.Barrier(threads_count)

    def worker(batch):
        try:
            start.wait()
            for draft in batch:
                services.quotation_issue(quotation=draft, user=advisor)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(drafts[index::threads_count],))
        for index in range(threads_count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    numbers = sorted(
        int(code[-5:]) for code in Quotation.objects.values_list("code", flat=True)
    )
    assert errors == []
    assert numbers == list(range(1, len(drafts) + 1))
    assert DocumentSequence.objects.get().last_number == len(drafts)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_issue_with_failing_pdfs_has_no_gap(
    advisor, customer, debris, monkeypatch
):
    def flaky_render(quotation):
        if int(quotation.code[-5:]) % 3 == 0:
            raise OSError("renderer crashed")
        return b"%PDF-1.7 " + quotation.code.encode()

    monkeypatch.setattr(services, "quotation_render_pdf", flaky_render)
    threads_count, per_thread = 20, 3
    drafts = [
        make_quotation(customer=customer, advisor=advisor, lines=[(debris, "1")])
        for _ in range(threads_count * per_thread)
    ]
    errors = []
    start = threading.Barrier(threads_count)

    def worker(batch):
        try:
            start.wait()
            for draft in batch:
                services.quotation_issue(quotation=draft, user=advisor)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(drafts[index::threads_count],))
        for index in range(threads_count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    issued = list(Quotation.objects.order_by("code"))
    numbers = [int(quotation.code[-5:]) for quotation in issued]
    without_pdf = [quotation for quotation in issued if not quotation.pdf_sha256]
    assert errors == []
    assert numbers == list(range(1, len(drafts) + 1))
    assert len(without_pdf) == len(drafts) // 3

    monkeypatch.setattr(
        services, "quotation_render_pdf", lambda quotation: b"%PDF-1.7 retried"
    )
    for quotation in without_pdf:
        assert services.quotation_pdf_bytes(quotation) == b"%PDF-1.7 retried"
