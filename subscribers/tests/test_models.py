"""Account rules, search and who sees which accounts."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from subscribers.models import Competitor, SubscriberAccount
from subscribers.tests.helpers import make_account
from tests.factories import make_zone


def clean_errors(account) -> dict:
    with pytest.raises(ValidationError) as error:
        account.full_clean()
    return error.value.message_dict


def test_residential_requires_estrato(db):
    account = make_account(estrato=None)
    assert "estrato" in clean_errors(account)


def test_residential_estrato_out_of_range(db):
    account = SubscriberAccount(
        account_code="1", name="X", municipality_id="73449", use_class="residencial"
    )
    account.estrato = 7
    assert "estrato" in clean_errors(account)


def test_commercial_rejects_estrato(db):
    account = make_account(use_class="comercial", estrato=None)
    account.estrato = 2
    assert clean_errors(account)["estrato"] == [
        "Solo las cuentas residenciales llevan estrato."
    ]


def test_residential_rejects_producer_type(db):
    account = make_account(producer_type="gran")
    assert "producer_type" in clean_errors(account)


def test_commercial_with_producer_type_is_valid(db):
    account = make_account(use_class="comercial", estrato=None, producer_type="gran")
    account.full_clean()


def test_several_units_require_multiuser(db):
    account = make_account(unit_count=4)
    assert "is_multiuser" in clean_errors(account)


def test_competitor_nit_with_wrong_dv_is_invalid(db):
    competitor = Competitor(
        name="Aseo Rival S.A. E.S.P.", nit="900123456", check_digit="1"
    )
    assert "check_digit" in clean_errors(competitor)


def test_competitor_nit_is_normalised(db):
    competitor = Competitor(name="Aseo Rival", nit="900.123.456", check_digit="")
    competitor.full_clean()
    assert (competitor.nit, competitor.check_digit) == ("900123456", "8")


@pytest.fixture
def accounts(db):
    return {
        "garcia": make_account(
            account_code="449000663",
            name="JOSÉ GARCÍA PÉREZ",
            address="KR 26 No. 8-15 AP 301",
            id_type="CC",
            id_number="1019968196",
        ),
        "company": make_account(
            account_code="449000700",
            name="HOGAR COMUNITARIO ALTOS DEL SOL",
            use_class="oficial",
            estrato=None,
            id_type="NIT",
            id_number="901573451",
            check_digit="5",
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("garcia", "garcia"),
        ("GARCÍA josé", "garcia"),
        ("449000663", "garcia"),
        ("449-000663", "garcia"),
        ("449 000 663", "garcia"),
        ("1.019.968.196", "garcia"),
        ("901573451-5", "company"),
        ("9015734515", "company"),
        ("kr 26", "garcia"),
        ("altos del sol", "company"),
    ],
)
def test_search_finds_account(accounts, query, expected):
    found = list(SubscriberAccount.objects.search(query))
    assert found == [accounts[expected]]


def test_search_of_short_words_matches_them_together(accounts):
    assert list(SubscriberAccount.objects.search("kr 26")) == [accounts["garcia"]]
    assert not SubscriberAccount.objects.search("26 kr").exists()


def test_search_requires_every_word(accounts):
    assert not SubscriberAccount.objects.search("garcia sol").exists()


def test_managers_billing_and_operations_see_all(
    accounts, director, billing_user, operations_user
):
    for user in (director, billing_user, operations_user):
        assert SubscriberAccount.objects.visible_to(user).count() == 2


def test_advisor_sees_accounts_in_their_zones(accounts, advisor, other_advisor):
    zone = make_zone("Melgar", advisors=[advisor])
    SubscriberAccount.objects.filter(pk=accounts["garcia"].pk).update(zone=zone)
    assert list(SubscriberAccount.objects.visible_to(advisor)) == [accounts["garcia"]]
    assert not SubscriberAccount.objects.visible_to(other_advisor).exists()


def test_user_without_role_sees_none(accounts, no_role_user):
    assert not SubscriberAccount.objects.visible_to(no_role_user).exists()


def test_change_is_recorded_in_history(accounts):
    account = accounts["garcia"]
    account.status = SubscriberAccount.Status.SUSPENDED
    account.save()
    assert account.history.first().status == "suspendido"


def test_competitor_nit_repeated_is_rejected(db):
    Competitor.objects.create(name="Aseo Rival", nit="900123456", check_digit="8")
    competitor = Competitor(name="Aseo Rival Dos", nit="900.123.456-8")

    with pytest.raises(ValidationError) as raised:
        competitor.full_clean()

    assert raised.value.message_dict["nit"] == [
        "El NIT 900.123.456-8 ya es del competidor «Aseo Rival». Revise el número "
        "o use ese competidor."
    ]


def test_competitor_keeps_own_nit_on_save(db):
    competitor = Competitor.objects.create(
        name="Aseo Rival", nit="900123456", check_digit="8"
    )
    competitor.email = "contacto@rival.example.com"

    competitor.full_clean()


def test_competitor_own_company_nit_rejected(db, settings):
    settings.COMPANY_NIT = "900.373.923-8"
    settings.COMPANY_NAME = "Aseo Valle del Sumapaz S.A. E.S.P."
    competitor = Competitor(name="Nosotros", nit="900373923")

    with pytest.raises(ValidationError) as raised:
        competitor.full_clean()

    assert raised.value.message_dict["nit"] == [
        "El NIT 900.373.923-8 es el de nuestra empresa (Aseo Valle del Sumapaz "
        "S.A. E.S.P.). Escriba el NIT del competidor."
    ]


def test_competitor_nit_unique_in_database(db):
    Competitor.objects.create(name="Aseo Rival", nit="900123456", check_digit="8")

    with pytest.raises(IntegrityError), transaction.atomic():
        Competitor.objects.create(name="Aseo Rival Dos", nit="900123456")
