"""The rewrites of stored search texts by migrations 0005 and 0007."""

import importlib

from django.apps import apps
from django.db import connection

from subscribers.models import SubscriberAccount
from subscribers.tests.helpers import make_account

migration = importlib.import_module("subscribers.migrations.0005_search_by_key_columns")
street_words = importlib.import_module(
    "subscribers.migrations.0007_search_text_street_words"
)


class StatementRunner:
    """The part of a schema editor that the migration's functions use. The
    SQLite schema editor cannot be opened inside the test's transaction."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def rewrite(function) -> None:
    runner = StatementRunner()
    if connection.vendor == "postgresql":
        # PostgreSQL builds no index while the inserted rows' deferred
        # foreign-key checks are pending; a migration starts without any.
        runner.execute("SET CONSTRAINTS ALL IMMEDIATE")
    function(apps, runner)


def test_drop_codes_leaves_the_words(db):
    account = make_account(
        account_code="449000663", name="JOSÉ GARCÍA", id_number="1019968196"
    )
    SubscriberAccount.objects.update(search_text="449000663 1019968196 jose garcia")
    rewrite(migration.drop_codes)
    account.refresh_from_db()
    assert account.search_text == "jose garcia"


def test_restore_codes_puts_them_back(db):
    account = make_account(
        account_code="449000663", name="JOSÉ GARCÍA", id_number="1019968196"
    )
    rewrite(migration.restore_codes)
    account.refresh_from_db()
    assert account.search_text == "449000663 1019968196 jose garcia"


def test_street_words_rewritten_one_way(db):
    changed = make_account(
        account_code="449000663", name="JOSÉ GARCÍA", address="CALLE 10 NO. 5-20"
    )
    unchanged = make_account(account_code="449000664", name="ANA", address="MZ E")
    SubscriberAccount.objects.filter(pk=changed.pk).update(
        search_text="jose garcia calle 10 no. 5-20"
    )

    rewrite(street_words.spell_street_words)
    changed.refresh_from_db()
    unchanged.refresh_from_db()

    assert changed.search_text == "jose garcia cl 10 # 5-20"
    assert changed.search_text == changed.build_search_text()
    assert unchanged.search_text == "ana mz e"


def test_street_words_restored_as_written(db):
    account = make_account(
        account_code="449000663", name="JOSÉ GARCÍA", address="CALLE 10 NO. 5-20"
    )

    rewrite(street_words.restore_folded_words)
    account.refresh_from_db()

    assert account.search_text == "jose garcia calle 10 no. 5-20"
