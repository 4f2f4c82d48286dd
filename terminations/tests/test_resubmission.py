"""The same verification or reconciliation form sent twice (a double click, a
resubmission after «Atrás»): recorded once, and the repeat gets a message naming
the record the first sending made."""

import re
import threading
import uuid
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from terminations import services
from terminations.models import (
    Desistimiento,
    ReconciliationAgreement,
    ReconciliationMeeting,
    RegistryNovelty,
    Verification,
)
from terminations.tests.conftest import make_account, make_request

TOKEN_INPUT = re.compile(r'name="submission" value="([0-9a-f-]{36})"')


def rendered_token(client, url: str) -> str:
    """Return the hidden submission token of the form on the page at `url`."""
    match = TOKEN_INPUT.search(client.get(url).text)
    assert match, "the page has no submission token"
    return match.group(1)


def verification_data(token: str, result: str = "no_localizado") -> dict:
    return {"result": result, "evidence_kind": "llamada", "submission": token}


def meeting_data(competitor, token: str) -> dict:
    return {
        "competitor": competitor.pk,
        "held_on": "28/10/2026",
        "frequency": "mensual",
        "attendees": "Carla Mejía\nPatricia Suárez",
        "agreements": "449000501; se va; Confirmó el cambio",
        "submission": token,
    }


def test_each_page_load_gets_new_token(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    client.force_login(advisor)

    first = rendered_token(client, item.get_absolute_url())
    second = rendered_token(client, item.get_absolute_url())

    assert first != second


def test_verification_sent_twice_recorded_once(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    client.force_login(advisor)
    token = rendered_token(client, item.get_absolute_url())
    url = reverse("terminations:verify", args=[item.pk])

    client.post(url, verification_data(token))
    again = client.post(url, verification_data(token), follow=True)

    assert Verification.objects.count() == 1
    assert "Este formulario ya se había enviado" in again.text
    assert again.redirect_chain[-1][0] == item.get_absolute_url()


def test_withdrawal_sent_twice_issues_one_form(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    client.force_login(advisor)
    token = rendered_token(client, item.get_absolute_url())
    url = reverse("terminations:verify", args=[item.pk])

    client.post(url, verification_data(token, "desiste"))
    client.post(url, verification_data(token, "desiste"))

    assert Verification.objects.count() == 1
    assert list(Desistimiento.objects.values_list("number", flat=True)) == [1]


def test_confirmation_resent_names_repeat(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    client.force_login(advisor)
    token = rendered_token(client, item.get_absolute_url())
    url = reverse("terminations:verify", args=[item.pk])

    client.post(url, verification_data(token, "confirmada"))
    again = client.post(url, verification_data(token, "confirmada"), follow=True)

    assert "Este formulario ya se había enviado" in again.text
    assert "ya no admite verificaciones" not in again.text


def test_new_form_records_another_check(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    client.force_login(advisor)
    url = reverse("terminations:verify", args=[item.pk])

    for _attempt in range(2):
        token = rendered_token(client, item.get_absolute_url())
        client.post(url, verification_data(token))

    assert Verification.objects.count() == 2


@pytest.mark.parametrize("token", ["", "no-es-un-token"])
def test_verification_without_token_refused(client, competitor, advisor, token):
    item = make_request(competitor, make_account(), advisor=advisor)
    client.force_login(advisor)

    response = client.post(
        reverse("terminations:verify", args=[item.pk]), verification_data(token)
    )

    assert response.status_code == 200
    assert "Recargue la página y envíelo de nuevo" in response.text
    assert not Verification.objects.exists()


def test_meeting_sent_twice_recorded_once(client, competitor, director):
    account = make_account("449000501")
    make_request(competitor, account)
    client.force_login(director)
    token = rendered_token(client, reverse("terminations:meeting_create"))
    url = reverse("terminations:meeting_create")

    client.post(url, meeting_data(competitor, token))
    again = client.post(url, meeting_data(competitor, token), follow=True)
    meeting = ReconciliationMeeting.objects.get()

    assert ReconciliationMeeting.objects.count() == 1
    assert ReconciliationAgreement.objects.count() == 1
    assert RegistryNovelty.objects.count() == 1
    assert "la reunión de conciliación del 28/10/2026" in again.text
    assert again.redirect_chain[-1][0] == meeting.get_absolute_url()


def test_meeting_without_token_refused(client, competitor, director):
    make_account("449000501")
    client.force_login(director)

    response = client.post(
        reverse("terminations:meeting_create"), meeting_data(competitor, "")
    )

    assert "Recargue la página y envíelo de nuevo" in response.text
    assert not ReconciliationMeeting.objects.exists()


def run_twice(action) -> list:
    """Run `action` in two threads released together; return what each returned
    or raised."""
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(action())
        except services.TerminationError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_verifications_record_once(competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    token = uuid.uuid4()

    outcomes = run_twice(
        lambda: services.verification_record(
            request=type(item).objects.get(pk=item.pk),
            user=advisor,
            result=Verification.Result.WITHDRAWS,
            evidence_kind=Verification.EvidenceKind.CALL,
            submission_token=token,
        )
    )

    repeats = [o for o in outcomes if isinstance(o, services.DuplicateSubmission)]
    assert len(outcomes) == 2
    assert len(repeats) == 1
    assert Verification.objects.count() == 1
    assert Desistimiento.objects.count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_meetings_record_once(competitor, director):
    account = make_account("449000501")
    make_request(competitor, account)
    token = uuid.uuid4()

    outcomes = run_twice(
        lambda: services.meeting_record(
            competitor=competitor,
            held_on=date(2026, 10, 28),
            attendees="Carla Mejía",
            agreements=[services.AgreementInput(account, "se_va")],
            user=director,
            submission_token=token,
        )
    )

    repeats = [o for o in outcomes if isinstance(o, services.DuplicateSubmission)]
    assert len(outcomes) == 2
    assert len(repeats) == 1
    assert ReconciliationMeeting.objects.count() == 1
    assert RegistryNovelty.objects.count() == 1


def test_long_verification_notes_are_rejected(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    client.force_login(advisor)
    token = rendered_token(client, item.get_absolute_url())
    url = reverse("terminations:verify", args=[item.pk])
    data = {**verification_data(token), "notes": "x" * 100_000}

    response = client.post(url, data, follow=True)

    assert Verification.objects.count() == 0
    assert (
        "Las observaciones tienen 100000 caracteres y el máximo es 2000."
        in response.text
    )


def test_verification_notes_wrap_on_detail(client, competitor, advisor):
    item = make_request(competitor, make_account(), advisor=advisor)
    client.force_login(advisor)
    token = rendered_token(client, item.get_absolute_url())
    url = reverse("terminations:verify", args=[item.pk])
    data = {**verification_data(token), "notes": "y" * 2000}

    response = client.post(url, data, follow=True)

    assert Verification.objects.get().notes == "y" * 2000
    assert f'<span class="notes">{"y" * 2000}</span>' in response.text
