"""The novedades report for the joint-billing company: marking exactly what the
page listed, the batches kept with their files, and each account's change
reported once when two competitors claim it."""

import io
import re
import threading
from datetime import date

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from subscribers.models import SubscriberAccount
from terminations import services
from terminations.models import NoveltyBatch, RegistryNovelty, TerminationRequest
from terminations.tests.conftest import make_account, make_request

PAGE_FIELDS = re.compile(r'name="(al|hasta|digest)" value="([^"]*)"')


def link(competitor, account, user, held_on=date(2026, 10, 28)):
    """Record a meeting that agrees the account is newly linked."""
    return services.meeting_record(
        competitor=competitor,
        held_on=held_on,
        attendees="Carla Mejía",
        agreements=[services.AgreementInput(account, "vinculado")],
        user=user,
    )


def leave(competitor, account, user, held_on=date(2026, 10, 28)):
    """Record a meeting that agrees the account leaves."""
    return services.meeting_record(
        competitor=competitor,
        held_on=held_on,
        attendees="Carla Mejía",
        agreements=[services.AgreementInput(account, "se_va")],
        user=user,
    )


def page_fields(client) -> dict:
    """Return the hidden fields of the «Marcar como reportadas» form."""
    page = client.get(reverse("terminations:novelties")).text
    return dict(PAGE_FIELDS.findall(page))


def workbook_codes(content: bytes) -> list[str]:
    """Return the account codes of the report's rows, below its header."""
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.values)
    header = next(i for i, row in enumerate(rows) if row[1] == "Código de cuenta")
    return [row[1] for row in rows[header + 1 :] if row[1]]


@pytest.fixture
def two_linked(competitor, coordinator):
    first = make_account("449000901", status=SubscriberAccount.Status.UNLINKED)
    second = make_account("449000902", status=SubscriberAccount.Status.UNLINKED)
    return first, second


def test_mark_leaves_out_later_novelty(
    client, competitor, coordinator, director, two_linked
):
    first, second = two_linked
    link(competitor, first, coordinator)
    client.force_login(director)
    fields = page_fields(client)
    link(competitor, second, coordinator)

    client.post(reverse("terminations:novelties_mark_sent"), fields)

    assert RegistryNovelty.objects.get(account=first).reported_on is not None
    assert RegistryNovelty.objects.get(account=second).reported_on is None


def test_download_holds_page_novelties(
    client, competitor, coordinator, director, two_linked
):
    first, second = two_linked
    link(competitor, first, coordinator)
    client.force_login(director)
    fields = page_fields(client)
    link(competitor, second, coordinator)

    response = client.get(
        reverse("terminations:novelties"),
        {"formato": "xlsx", "al": fields["al"], "hasta": fields["hasta"]},
    )

    assert workbook_codes(response.content) == ["449000901"]


def test_batch_file_matches_download(
    client, competitor, coordinator, director, two_linked
):
    first, _second = two_linked
    link(competitor, first, coordinator)
    client.force_login(director)
    fields = page_fields(client)
    downloaded = client.get(
        reverse("terminations:novelties"),
        {"formato": "csv", "al": fields["al"], "hasta": fields["hasta"]},
    ).content

    client.post(reverse("terminations:novelties_mark_sent"), fields)
    batch = NoveltyBatch.objects.get()
    stored = b"".join(
        client.get(
            reverse("terminations:novelty_batch_file", args=[batch.pk, "csv"])
        ).streaming_content
    )

    assert stored == downloaded
    assert batch.marked_by == director
    assert batch.novelty_count == 1
    assert batch.history.get().history_user == director
    assert list(batch.novelties.all()) == [RegistryNovelty.objects.get()]


def test_page_lists_batches(client, competitor, coordinator, director, two_linked):
    first, _second = two_linked
    link(competitor, first, coordinator)
    client.force_login(director)
    response = client.post(
        reverse("terminations:novelties_mark_sent"), page_fields(client), follow=True
    )
    batch = NoveltyBatch.objects.get()

    assert f"Lote {batch.pk}: 1 novedad marcada como reportada." in response.text
    assert "Reportes anteriores" in response.text
    assert reverse("terminations:novelty_batch_file", args=[batch.pk, "xlsx"]) in (
        response.text
    )
    assert "Diana Rojas" in response.text


def test_second_press_says_already_marked(
    client, competitor, coordinator, director, two_linked
):
    first, _second = two_linked
    link(competitor, first, coordinator)
    client.force_login(director)
    fields = page_fields(client)
    client.post(reverse("terminations:novelties_mark_sent"), fields)
    batch = NoveltyBatch.objects.get()

    response = client.post(
        reverse("terminations:novelties_mark_sent"), fields, follow=True
    )

    assert "Estas novedades ya quedaron marcadas como reportadas." in response.text
    assert f"Están en el lote {batch.pk}" in response.text
    assert "Las novedades pendientes cambiaron" not in response.text
    assert "márquelo" not in response.text
    assert NoveltyBatch.objects.count() == 1


def test_mark_same_page_by_other_user(
    client, competitor, coordinator, director, two_linked
):
    first, _second = two_linked
    link(competitor, first, coordinator)
    client.force_login(director)
    fields = page_fields(client)
    services.novelty_batch_create(
        on=date.fromisoformat(fields["al"]),
        last_id=int(fields["hasta"]),
        digest=fields["digest"],
        user=coordinator,
    )

    response = client.post(
        reverse("terminations:novelties_mark_sent"), fields, follow=True
    )

    assert "Estas novedades ya quedaron marcadas como reportadas." in response.text
    assert NoveltyBatch.objects.count() == 1


def test_mark_refused_after_other_marked_more(
    client, competitor, coordinator, director, two_linked
):
    first, second = two_linked
    link(competitor, first, coordinator)
    client.force_login(director)
    fields = page_fields(client)
    link(competitor, second, coordinator)
    # Another user marks a later page that also lists the second novelty.
    report = services.novelty_report()
    services.novelty_batch_create(
        on=report.on, last_id=report.last_id, digest=report.digest, user=coordinator
    )

    response = client.post(
        reverse("terminations:novelties_mark_sent"), fields, follow=True
    )

    assert "Las novedades pendientes cambiaron" in response.text
    assert "ya quedaron marcadas" not in response.text
    assert NoveltyBatch.objects.count() == 1


def test_billing_downloads_batch_advisor_cannot(
    client, competitor, coordinator, billing_user, advisor, two_linked
):
    first, _second = two_linked
    link(competitor, first, coordinator)
    report = services.novelty_report()
    batch = services.novelty_batch_create(
        on=report.on, last_id=report.last_id, digest=report.digest, user=coordinator
    )
    url = reverse("terminations:novelty_batch_file", args=[batch.pk, "xlsx"])

    client.force_login(billing_user)
    allowed = client.get(url)
    client.force_login(advisor)
    forbidden = client.get(url)

    assert allowed.status_code == 200
    assert allowed["Content-Disposition"].startswith("attachment")
    assert forbidden.status_code == 403


def test_billing_cannot_mark(client, billing_user):
    client.force_login(billing_user)

    response = client.post(reverse("terminations:novelties_mark_sent"))

    assert response.status_code == 403


def test_double_claim_unlinks_once(competitor, other_competitor, coordinator):
    account = make_account("449000911")
    first = make_request(competitor, account)
    second = make_request(
        other_competitor,
        account,
        filed_on=date(2026, 10, 8),
        effective_due_on=date(2026, 12, 9),
    )

    leave(competitor, account, coordinator)
    leave(other_competitor, account, coordinator, held_on=date(2026, 10, 29))
    report = services.novelty_report(on=date(2026, 12, 10))
    services.novelty_batch_create(
        on=report.on, last_id=report.last_id, digest=report.digest, user=coordinator
    )
    account.refresh_from_db()
    second.refresh_from_db()
    first.refresh_from_db()

    assert RegistryNovelty.objects.filter(account=account).count() == 1
    assert [n.effective_on for n in report.reported] == [date(2026, 12, 1)]
    assert account.unlinked_on == date(2026, 12, 1)
    assert first.status == TerminationRequest.Status.EFFECTIVE
    assert second.status == TerminationRequest.Status.EFFECTIVE


def test_second_claim_moves_unlinking_earlier(
    competitor, other_competitor, coordinator
):
    account = make_account("449000912")
    make_request(competitor, account, effective_due_on=date(2026, 12, 9))
    make_request(other_competitor, account)

    leave(competitor, account, coordinator)
    leave(other_competitor, account, coordinator, held_on=date(2026, 10, 29))
    account.refresh_from_db()

    novelty = RegistryNovelty.objects.get(account=account)
    assert novelty.effective_on == date(2026, 12, 1)
    assert account.unlinking_scheduled_on == date(2026, 12, 1)


def test_reported_unlinking_not_reported_again(
    competitor, other_competitor, coordinator
):
    account = make_account("449000913")
    make_request(competitor, account)
    leave(competitor, account, coordinator)
    report = services.novelty_report(on=date(2026, 12, 2))
    services.novelty_batch_create(
        on=report.on, last_id=report.last_id, digest=report.digest, user=coordinator
    )
    make_request(other_competitor, account, filed_on=date(2026, 12, 3))

    leave(other_competitor, account, coordinator, held_on=date(2026, 12, 4))
    later = services.novelty_report(on=date(2027, 3, 1))

    assert RegistryNovelty.objects.filter(account=account).count() == 1
    assert later.reported == ()


def test_report_collapses_stored_repeats(competitor, coordinator):
    account = make_account(
        "449000914",
        status=SubscriberAccount.Status.UNLINKED,
        unlinked_on=date(2026, 12, 1),
    )
    for day in (1, 9):
        RegistryNovelty.objects.create(
            account=account,
            kind=RegistryNovelty.Kind.UNLINKED,
            effective_on=date(2026, 12, day),
        )

    report = services.novelty_report(on=date(2026, 12, 10))
    batch = services.novelty_batch_create(
        on=report.on, last_id=report.last_id, digest=report.digest, user=coordinator
    )

    assert len(report.rows()) == 1
    assert report.rows()[0][7] == date(2026, 12, 1)
    assert batch.novelty_count == 1
    assert not RegistryNovelty.objects.filter(reported_on__isnull=True).exists()


def test_relinked_account_unlinks_again(competitor, coordinator):
    account = make_account("449000915")
    make_request(competitor, account)
    leave(competitor, account, coordinator)
    services.terminations_make_effective(today=date(2026, 12, 2))
    report = services.novelty_report(on=date(2026, 12, 2))
    services.novelty_batch_create(
        on=report.on, last_id=report.last_id, digest=report.digest, user=coordinator
    )
    link(competitor, account, coordinator, held_on=date(2026, 12, 3))

    kinds = list(
        RegistryNovelty.objects.filter(account=account)
        .order_by("effective_on")
        .values_list("kind", flat=True)
    )

    assert kinds == ["desvinculacion", "vinculacion"]


def test_retained_keeps_other_claim_schedule(competitor, other_competitor, coordinator):
    account = make_account("449000916")
    make_request(competitor, account)
    make_request(other_competitor, account)
    leave(competitor, account, coordinator)

    services.meeting_record(
        competitor=other_competitor,
        held_on=date(2026, 10, 29),
        attendees="Carla Mejía",
        agreements=[services.AgreementInput(account, "retenido")],
        user=coordinator,
    )
    account.refresh_from_db()

    assert account.unlinking_scheduled_on == date(2026, 12, 1)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_marks_make_one_batch(competitor, coordinator, director):
    account = make_account("449000917", status=SubscriberAccount.Status.UNLINKED)
    link(competitor, account, coordinator)
    report = services.novelty_report()
    barrier = threading.Barrier(2)
    outcomes = []

    def mark(user):
        try:
            barrier.wait()
            outcomes.append(
                services.novelty_batch_create(
                    on=report.on,
                    last_id=report.last_id,
                    digest=report.digest,
                    user=user,
                )
            )
        except services.TerminationError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=mark, args=(user,)) for user in (coordinator, director)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    refused = [o for o in outcomes if isinstance(o, services.TerminationError)]
    assert len(outcomes) == 2
    assert len(refused) == 1
    assert NoveltyBatch.objects.count() == 1


def test_future_date_in_link_is_ignored(client, competitor, coordinator, director):
    account = make_account("449000918")
    request = make_request(competitor, account)
    leave(competitor, account, coordinator)
    client.force_login(director)

    with time_machine.travel("2026-10-30 10:00 -05:00", tick=False):
        page = client.get(
            reverse("terminations:novelties"), {"al": "2027-01-15", "hasta": "99"}
        ).text
    request.refresh_from_db()
    account.refresh_from_db()

    assert "Al 30/10/2026" in page
    assert request.status == TerminationRequest.Status.ACCEPTED
    assert account.status == SubscriberAccount.Status.ACTIVE


def test_mark_with_future_date_refused(client, competitor, coordinator, director):
    account = make_account("449000919")
    make_request(competitor, account)
    leave(competitor, account, coordinator)
    client.force_login(director)

    with time_machine.travel("2026-10-30 10:00 -05:00", tick=False):
        response = client.post(
            reverse("terminations:novelties_mark_sent"),
            {"al": "2027-01-15", "hasta": "99", "digest": "x"},
            follow=True,
        )
    account.refresh_from_db()

    assert "El formulario llegó incompleto" in response.text
    assert account.status == SubscriberAccount.Status.ACTIVE
    assert not NoveltyBatch.objects.exists()


def due_unlinking(competitor, coordinator, code="449000920"):
    """Return an account whose accepted termination unlinks it on 01/12/2026."""
    account = make_account(code)
    request = make_request(competitor, account)
    leave(competitor, account, coordinator)
    return account, request


@time_machine.travel("2026-12-02 09:00 -05:00", tick=False)
def test_page_lists_due_unlinking_without_effect(
    client, competitor, coordinator, director
):
    account, request = due_unlinking(competitor, coordinator)
    client.force_login(director)

    page = client.get(reverse("terminations:novelties")).text
    download = client.get(reverse("terminations:novelties"), {"formato": "xlsx"})
    account.refresh_from_db()
    request.refresh_from_db()

    assert "Terminaciones por registrar como efectivas" in page
    assert "se registra como efectiva al marcar el reporte" in page
    assert workbook_codes(download.content) == ["449000920"]
    assert request.status == TerminationRequest.Status.ACCEPTED
    assert account.status == SubscriberAccount.Status.ACTIVE


@time_machine.travel("2026-12-02 09:00 -05:00", tick=False)
def test_start_page_counts_due_unlinking_without_effect(
    client, competitor, coordinator, billing_user
):
    _account, request = due_unlinking(competitor, coordinator)
    client.force_login(billing_user)

    page = client.get(reverse("home")).text
    request.refresh_from_db()

    assert "novedad de catastro sin reportar" in page
    assert request.status == TerminationRequest.Status.ACCEPTED


@time_machine.travel("2026-12-02 09:00 -05:00", tick=False)
def test_mark_makes_due_termination_effective(
    client, competitor, coordinator, director
):
    account, request = due_unlinking(competitor, coordinator)
    client.force_login(director)
    fields = page_fields(client)

    client.post(reverse("terminations:novelties_mark_sent"), fields)
    account.refresh_from_db()
    request.refresh_from_db()
    change = request.history.first()

    assert RegistryNovelty.objects.get(account=account).reported_on is not None
    assert request.status == TerminationRequest.Status.EFFECTIVE
    assert account.status == SubscriberAccount.Status.UNLINKED
    assert account.unlinked_on == date(2026, 12, 1)
    assert change.history_user == director
    assert "01/12/2026" in change.history_change_reason


def test_report_before_unlinking_date_leaves_it_out(competitor, coordinator):
    due_unlinking(competitor, coordinator)

    report = services.novelty_report(on=date(2026, 11, 30))

    assert report.reported == ()
    assert report.due_terminations == ()


@time_machine.travel("2026-12-02 09:00 -05:00", tick=False)
def test_make_effective_button_records_user(client, competitor, coordinator, director):
    account, request = due_unlinking(competitor, coordinator)
    client.force_login(director)

    response = client.post(
        reverse("terminations:terminations_make_effective"), follow=True
    )
    account.refresh_from_db()
    request.refresh_from_db()

    assert "1 terminación quedó registrada como efectiva" in response.text
    assert request.status == TerminationRequest.Status.EFFECTIVE
    assert account.status == SubscriberAccount.Status.UNLINKED
    assert request.history.first().history_user == director
    assert account.history.first().history_user == director


def test_make_effective_button_needs_post_and_manager(client, billing_user, director):
    url = reverse("terminations:terminations_make_effective")
    client.force_login(billing_user)
    forbidden = client.post(url)
    client.force_login(director)
    by_get = client.get(url)

    assert forbidden.status_code == 403
    assert by_get.status_code == 405


@time_machine.travel("2026-12-02 09:00 -05:00", tick=False)
def test_command_makes_due_terminations_effective(competitor, coordinator):
    _account, request = due_unlinking(competitor, coordinator)
    _later_account, later = due_unlinking(competitor, coordinator, code="449000921")
    TerminationRequest.objects.filter(pk=later.pk).update(
        unlinking_on=date(2026, 12, 3)
    )
    output = io.StringIO()

    call_command("make_terminations_effective", stdout=output)
    request.refresh_from_db()
    later.refresh_from_db()
    change = request.history.first()

    assert output.getvalue().startswith("1 terminations made effective")
    assert request.status == TerminationRequest.Status.EFFECTIVE
    assert later.status == TerminationRequest.Status.ACCEPTED
    assert change.history_user is None
    assert change.history_change_reason.startswith("Terminación efectiva")


@time_machine.travel("2026-12-02 09:00 -05:00", tick=False)
def test_command_rejects_future_date(db):
    with pytest.raises(CommandError, match="posterior a hoy"):
        call_command("make_terminations_effective", "--date", "2026-12-03")
