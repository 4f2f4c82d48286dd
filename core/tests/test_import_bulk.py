"""COPY text formatting and key blocks of the bulk helpers."""

import pytest
from django.db import connection

from core.imports.bulk import (
    KeyBlock,
    copy_text,
    copy_text_fields,
    drop_secondary_indexes,
)
from subscribers.models import SubscriberAccount
from zones.models import Zone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("GARCÍA", "GARCÍA"),
        ("A\\B", "A\\\\B"),
        ("\\N", "\\\\N"),
        ("A\tB", "A\\tB"),
        ("A\nB", "A\\nB"),
        ("A\rB", "A\\rB"),
    ],
)
def test_copy_text_escapes(value, expected):
    assert copy_text(value) == expected


def test_copy_text_fields_joins_plain_values():
    assert copy_text_fields(["449000001", "", "LUCERO"]) == "449000001\t\tLUCERO"


def test_copy_text_fields_escapes_backslash():
    assert copy_text_fields(["A\\B", "C"]) == "A\\\\B\tC"


def test_copy_text_fields_escapes_tab_inside_value():
    assert copy_text_fields(["A\tB", "C"]) == "A\\tB\tC"


def test_copy_text_fields_escapes_newline():
    assert copy_text_fields(["A", "B\nC"]) == "A\tB\\nC"


@pytest.mark.postgresql
def test_key_block_hands_out_its_keys_in_order(db):
    block = KeyBlock(Zone, 5)
    first = block.take(2)
    second = block.take(3)
    assert list(second) == [first[-1] + 1, first[-1] + 2, first[-1] + 3]
    assert Zone.objects.create(name="Zona Norte").pk > second[-1]


@pytest.mark.postgresql
def test_key_block_refuses_more_keys_than_it_holds(db):
    block = KeyBlock(Zone, 2)
    block.take(1)
    with pytest.raises(RuntimeError, match="1 keys left, 2 were asked for"):
        block.take(2)


@pytest.mark.postgresql
def test_drop_secondary_indexes_keeps_named_ones(db):
    table = SubscriberAccount._meta.db_table
    kept_index = "subscriber_code_prefix_idx"
    statements = drop_secondary_indexes(SubscriberAccount, keep=(kept_index,))
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        remaining = {name for (name,) in cursor.fetchall()}
    assert kept_index in remaining
    assert "subscriber_predial_prefix_idx" not in remaining
    assert not any(kept_index in statement for statement in statements)
    assert any("subscriber_predial_prefix_idx" in statement for statement in statements)
