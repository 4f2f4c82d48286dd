"""Re-imports that must keep what the termination flow and the stored record set."""

from datetime import date

from subscribers.models import SubscriberAccount
from subscribers.tests.test_import_rows import GOOD, import_lines
from terminations.models import RegistryNovelty
from terminations.services import novelty_report


def unlink_by_termination(code="449000001"):
    account = SubscriberAccount.objects.get(account_code=code)
    account.status = SubscriberAccount.Status.UNLINKED
    account.unlinked_on = date(2026, 11, 3)
    account.save()
    RegistryNovelty.objects.create(
        account=account,
        kind=RegistryNovelty.Kind.UNLINKED,
        effective_on=date(2026, 11, 3),
    )


def test_reimport_keeps_termination_unlinking(db, tmp_path):
    import_lines(tmp_path, GOOD)
    unlink_by_termination()
    import_lines(tmp_path, GOOD)
    account = SubscriberAccount.objects.get(account_code="449000001")
    assert account.status == SubscriberAccount.Status.UNLINKED


def test_reimport_warns_unlinking_kept(db, tmp_path):
    import_lines(tmp_path, GOOD)
    unlink_by_termination()
    report = import_lines(tmp_path, GOOD)
    messages = [issue.message for issue in report.warnings]
    assert len(messages) == 1
    assert messages[0].startswith("Fila 2, columna «ESTADO»: La cuenta 449000001")
    assert "se mantuvo DESVINCULADO" in messages[0]


def test_reimport_keeps_pending_novelty(db, tmp_path):
    import_lines(tmp_path, GOOD)
    unlink_by_termination()
    import_lines(tmp_path, GOOD)
    report = novelty_report(on=date(2026, 11, 30))
    assert [novelty.account.account_code for novelty in report.reported] == [
        "449000001"
    ]


def test_reimport_relinked_account_follows_file(db, tmp_path):
    import_lines(tmp_path, GOOD)
    unlink_by_termination()
    account = SubscriberAccount.objects.get(account_code="449000001")
    RegistryNovelty.objects.create(
        account=account,
        kind=RegistryNovelty.Kind.LINKED,
        effective_on=date(2026, 11, 20),
    )
    import_lines(tmp_path, GOOD)
    account.refresh_from_db()
    assert account.status == SubscriberAccount.Status.ACTIVE


def test_invalid_date_keeps_stored(db, tmp_path):
    import_lines(tmp_path, GOOD)
    report = import_lines(tmp_path, GOOD.replace("2021-07-12", "31/02/2020"))
    account = SubscriberAccount.objects.get(account_code="449000001")
    assert account.linked_on == date(2021, 7, 12)
    assert "Se conservó la fecha de vinculación" in report.warnings[0].message


def test_empty_date_keeps_stored(db, tmp_path):
    import_lines(tmp_path, GOOD)
    import_lines(tmp_path, GOOD.replace("2021-07-12", ""))
    account = SubscriberAccount.objects.get(account_code="449000001")
    assert account.linked_on == date(2021, 7, 12)


def test_invalid_date_new_account_empty(db, tmp_path):
    import_lines(tmp_path, GOOD.replace("2021-07-12", "31/02/2020"))
    account = SubscriberAccount.objects.get(account_code="449000001")
    assert account.linked_on is None
