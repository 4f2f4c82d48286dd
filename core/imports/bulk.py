"""Bulk writes for imports: PostgreSQL COPY, with a portable ORM path elsewhere.

Rows are plain dicts keyed by field attname (`municipality_id`, not
`municipality`). On PostgreSQL rows travel through psycopg's `cursor.copy()`, into a
temporary table when they must be merged with stored rows; on other databases
(SQLite in development and tests) the ORM's bulk_create and bulk_update do the work.
"""

from collections.abc import Hashable, Sequence
from datetime import datetime

from django.db import connection, models

HISTORY_OWN_FIELDS = frozenset(
    {
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user_id",
    }
)


def uses_copy() -> bool:
    return connection.vendor == "postgresql"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _copy_rows(cursor, table: str, columns: Sequence[str], rows) -> None:
    column_list = ", ".join(_quote(column) for column in columns)
    statement = f"COPY {_quote(table)} ({column_list}) FROM STDIN"
    with cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _create_stage(cursor, table: str, columns: Sequence[str]) -> str:
    """Create an empty temporary table with `columns` of `table`; dropped at commit."""
    stage = f"import_stage_{table}"
    column_list = ", ".join(_quote(column) for column in columns)
    cursor.execute(f"DROP TABLE IF EXISTS {_quote(stage)}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_quote(stage)} ON COMMIT DROP AS "
        f"SELECT {column_list} FROM {_quote(table)} WITH NO DATA"
    )
    return stage


def bulk_insert(model: type[models.Model], rows: list[dict]) -> list[int]:
    """Insert `rows` (without primary keys) and return the new keys in order."""
    if not rows:
        return []
    if not uses_copy():
        objects = model.objects.bulk_create([model(**row) for row in rows])
        return [obj.pk for obj in objects]

    table = model._meta.db_table
    pk_column = model._meta.pk.column
    columns = list(rows[0])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
            "FROM generate_series(1, %s)",
            [table, pk_column, len(rows)],
        )
        keys = [key for (key,) in cursor.fetchall()]
        _copy_rows(
            cursor,
            table,
            [pk_column, *columns],
            (
                (key, *(row[column] for column in columns))
                for key, row in zip(keys, rows, strict=True)
            ),
        )
    return keys


def bulk_update(
    model: type[models.Model], rows: list[dict], fields: Sequence[str]
) -> None:
    """Overwrite `fields` (attnames) of the stored rows whose primary key is in
    each row's `id`."""
    if not rows:
        return
    if not uses_copy():
        objects = [model(**row) for row in rows]
        names = [
            model._meta.get_field(field).name for field in _field_names(model, fields)
        ]
        model.objects.bulk_update(objects, names)
        return

    table = model._meta.db_table
    pk_column = model._meta.pk.column
    columns = [pk_column, *fields]
    with connection.cursor() as cursor:
        stage = _create_stage(cursor, table, columns)
        _copy_rows(cursor, stage, columns, ((row[c] for c in columns) for row in rows))
        assignments = ", ".join(
            f"{_quote(field)} = stage.{_quote(field)}" for field in fields
        )
        cursor.execute(
            f"UPDATE {_quote(table)} AS target SET {assignments} "
            f"FROM {_quote(stage)} AS stage "
            f"WHERE target.{_quote(pk_column)} = stage.{_quote(pk_column)}"
        )


def _field_names(model, attnames: Sequence[str]) -> list[str]:
    by_attname = {field.attname: field.name for field in model._meta.concrete_fields}
    return [by_attname[attname] for attname in attnames]


def bulk_upsert(
    model: type[models.Model],
    rows: list[dict],
    *,
    key: str,
    update_fields: Sequence[str],
    compare_fields: Sequence[str],
) -> dict[Hashable, int]:
    """Insert `rows`, or update the stored row with the same unique `key` where one
    of `compare_fields` differs. Return key value → primary key of every row
    inserted or updated; a row equal to the stored one is absent from the result.

    Each row carries every column it writes (the caller merges it with the stored
    row first), so the update copies values as they are.
    """
    if not rows:
        return {}
    if not uses_copy():
        return _portable_upsert(model, rows, key, update_fields)

    table = model._meta.db_table
    pk_column = model._meta.pk.column
    columns = list(rows[0])
    with connection.cursor() as cursor:
        stage = _create_stage(cursor, table, columns)
        _copy_rows(cursor, stage, columns, ((row[c] for c in columns) for row in rows))
        column_list = ", ".join(_quote(column) for column in columns)
        assignments = ", ".join(
            f"{_quote(field)} = EXCLUDED.{_quote(field)}" for field in update_fields
        )
        stored = ", ".join(f"target.{_quote(field)}" for field in compare_fields)
        incoming = ", ".join(f"EXCLUDED.{_quote(field)}" for field in compare_fields)
        cursor.execute(
            f"INSERT INTO {_quote(table)} AS target ({column_list}) "
            f"SELECT {column_list} FROM {_quote(stage)} "
            f"ON CONFLICT ({_quote(key)}) DO UPDATE SET {assignments} "
            f"WHERE ({stored}) IS DISTINCT FROM ({incoming}) "
            f"RETURNING target.{_quote(key)}, target.{_quote(pk_column)}"
        )
        return dict(cursor.fetchall())


def _portable_upsert(model, rows, key, update_fields) -> dict[Hashable, int]:
    objects = [model(**row) for row in rows]
    model.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=[model._meta.get_field(key).name],
        update_fields=_field_names(model, update_fields),
    )
    missing = [obj for obj in objects if obj.pk is None]
    if missing:
        stored = dict(
            model.objects.filter(
                **{f"{key}__in": [getattr(obj, key) for obj in missing]}
            ).values_list(key, "pk")
        )
        for obj in missing:
            obj.pk = stored[getattr(obj, key)]
    return {getattr(obj, key): obj.pk for obj in objects}


def history_insert(
    model: type[models.Model],
    rows: list[dict],
    *,
    history_type: str,
    user_id: int | None,
    when: datetime,
    reason: str = "",
) -> None:
    """Write one django-simple-history record per row (each row includes its `id`):
    `+` for a created record, `~` for a changed one. This replaces the records
    simple_history writes from save signals, which bulk writes do not send."""
    if not rows:
        return
    historical = model.history.model
    tracked = [
        field.attname
        for field in historical._meta.concrete_fields
        if field.attname not in HISTORY_OWN_FIELDS
    ]
    history_rows = []
    for row in rows:
        entry = {attname: row.get(attname) for attname in tracked}
        entry["history_date"] = when
        entry["history_type"] = history_type
        entry["history_user_id"] = user_id
        entry["history_change_reason"] = reason or None
        history_rows.append(entry)
    bulk_insert(historical, history_rows)
