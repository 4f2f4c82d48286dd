"""The registry import on the sample registry export."""

from pathlib import Path

import pytest

from core.imports import Severity, run_import
from subscribers.importer import SubscriberImporter
from subscribers.models import SubscriberAccount

SAMPLE = Path(__file__).parent / "data" / "catastro_suscriptores.csv"
WRONG_DV_ACCOUNTS = ["449000663", "449005075", "449007374", "873000193"]


def warnings_in(report, column):
    return [
        issue
        for issue in report.errors
        if issue.severity == Severity.WARNING and issue.column == column
    ]


@pytest.fixture(scope="module")
def imported_sample(django_db_setup, django_db_blocker):
    """Import the sample once, then again; each test runs in its own transaction,
    rolled back afterwards, on top of these rows."""
    with django_db_blocker.unblock():
        first = run_import(SubscriberImporter(), SAMPLE)
        second = run_import(SubscriberImporter(), SAMPLE)
        yield first, second
        SubscriberAccount.objects.all().delete()
        SubscriberAccount.history.all().delete()


@pytest.fixture
def sample_report(imported_sample, db):
    return imported_sample[0]


@pytest.fixture
def reimport_report(imported_sample, db):
    return imported_sample[1]


def test_sample_counts(sample_report):
    counts = (
        sample_report.rows,
        sample_report.created,
        sample_report.updated,
        sample_report.unchanged,
        sample_report.rejected,
    )
    assert counts == (20_000, 20_000, 0, 0, 0)


def test_sample_is_committed(sample_report):
    assert sample_report.committed is True


def test_sample_creates_one_account_per_row(sample_report):
    assert SubscriberAccount.objects.count() == 20_000


@pytest.mark.parametrize(
    ("status", "count"),
    [
        (SubscriberAccount.Status.ACTIVE, 17_585),
        (SubscriberAccount.Status.SUSPENDED, 824),
        (SubscriberAccount.Status.UNLINKED, 1_591),
    ],
)
def test_sample_status_counts(sample_report, status, count):
    assert SubscriberAccount.objects.filter(status=status).count() == count


def test_wrong_dv_rows_are_warnings(sample_report):
    rows = [issue.row for issue in warnings_in(sample_report, "DV")]
    assert rows == [11330, 14860, 16711, 19555]


def test_wrong_dv_accounts_are_kept_and_flagged(sample_report):
    flagged = SubscriberAccount.objects.filter(check_digit_mismatch=True)
    codes = sorted(flagged.values_list("account_code", flat=True))
    assert codes == WRONG_DV_ACCOUNTS


def test_wrong_dv_is_stored_as_given(sample_report):
    account = SubscriberAccount.objects.get(account_code="449000663")
    assert (account.id_type, account.id_number, account.check_digit) == (
        "NIT",
        "901573451",
        "4",
    )


def test_wrong_dv_message_names_the_correct_dv(sample_report):
    message = warnings_in(sample_report, "DV")[0].message
    assert message.startswith("Fila 11330, columna «DV»: El DV 4 no corresponde")
    assert "el correcto es 5" in message


def test_sin_informacion_rows_are_warnings(sample_report):
    issues = warnings_in(sample_report, "NUMERO_DOCUMENTO")
    assert len(issues) == 50
    assert "SIN INFORMACION" in issues[0].message


def test_sin_informacion_accounts_have_no_document(sample_report):
    accounts = SubscriberAccount.objects.filter(name="SIN INFORMACION")
    assert accounts.count() == 50
    assert set(accounts.values_list("id_type", "id_number")) == {("", "")}


def test_no_other_warnings(sample_report):
    assert len(sample_report.warnings) == 54


def test_blank_cadastral_numbers_are_kept_blank(sample_report):
    assert SubscriberAccount.objects.filter(cadastral_number="").count() == 1_355


def test_cadastral_number_keeps_thirty_digits(sample_report):
    account = SubscriberAccount.objects.get(account_code="148000032")
    assert account.cadastral_number == "731480106001001250020000000000"


def test_residential_account_fields(sample_report):
    account = SubscriberAccount.objects.get(account_code="148000032")
    assert account.municipality_id == "73148"
    assert account.use_class == SubscriberAccount.UseClass.RESIDENTIAL
    assert account.estrato == 3
    assert account.producer_type == ""
    assert account.linked_on.isoformat() == "2021-07-12"
    assert account.id_type == "CC"


def test_commercial_account_fields(sample_report):
    account = SubscriberAccount.objects.get(account_code="148000034")
    assert account.use_class == SubscriberAccount.UseClass.COMMERCIAL
    assert account.estrato is None
    assert account.producer_type == SubscriberAccount.ProducerType.SMALL
    assert (account.id_number, account.check_digit) == ("901765545", "3")


def test_quoted_names_and_comma_addresses_are_read_whole(sample_report):
    quoted = SubscriberAccount.objects.filter(name__contains='"')
    with_comma = SubscriberAccount.objects.filter(address__contains=",")
    assert quoted.count() == 10
    assert with_comma.count() == 59


def test_estates_are_kept_as_subscribers(sample_report):
    estates = SubscriberAccount.objects.filter(name__startswith="SUCESION")
    assert estates.exists()


def test_every_account_gets_a_creation_history_record(sample_report):
    assert SubscriberAccount.history.filter(history_type="+").count() == 20_000


def test_search_text_is_filled(sample_report):
    assert not SubscriberAccount.objects.filter(search_text="").exists()


def test_reimport_leaves_everything_unchanged(reimport_report):
    counts = (
        reimport_report.rows,
        reimport_report.created,
        reimport_report.updated,
        reimport_report.unchanged,
    )
    assert counts == (20_000, 0, 0, 20_000)


def test_reimport_does_not_duplicate(reimport_report):
    assert SubscriberAccount.objects.count() == 20_000


def test_reimport_writes_no_history(reimport_report):
    assert SubscriberAccount.history.count() == 20_000
