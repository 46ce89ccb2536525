"""Inserting many rows at once: PostgreSQL's COPY where it runs, bulk_create elsewhere.

An import of 10,000 users writes 30,000 rows (users, their versions, their changes);
bulk_create spends most of its time turning each value into SQL parameters. COPY streams
the rows instead, and psycopg adapts Python values itself. The caller's transaction holds
the rows as with bulk_create; no signals fire in either case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert OBJS (all new, of MODEL). An auto primary key left unset is taken from the
    table's sequence and set on each object, in order, as bulk_create does on PostgreSQL."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=1000)
        return
    meta = model._meta
    now = timezone.now()
    auto_pk = _auto_pk(model)
    if auto_pk is not None:
        unset = [obj for obj in objs if getattr(obj, auto_pk.attname) is None]
        values = _next_values(meta.db_table, auto_pk.column, len(unset)) if unset else []
        for obj, value in zip(unset, values, strict=True):
            setattr(obj, auto_pk.attname, value)
    fields = list(meta.concrete_fields)
    for obj in objs:
        for field in _stamped(fields):
            if field.auto_now or getattr(obj, field.attname) is None:
                setattr(obj, field.attname, now)
    _copy(model, fields, ([getattr(obj, f.attname) for f in fields] for obj in objs))
    for obj in objs:  # saved now, as bulk_create leaves them: a later save() updates
        obj._state.adding = False
        obj._state.db = connection.alias


def bulk_insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ROWS of MODEL given as {attname: value}, without making a model instance of
    each (for log rows: a third of an import's time went into instances only copied out
    again). A field a row leaves out takes its default, timestamps the time now; an auto
    primary key is taken from the sequence and set in each row."""
    if not rows:
        return
    fields = list(model._meta.concrete_fields)
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=1000)
        for row, obj in zip(rows, objs, strict=True):  # the key, defaults and stamps
            row.update((f.attname, getattr(obj, f.attname)) for f in fields)
        return
    now = timezone.now()
    auto_pk = _auto_pk(model)
    if auto_pk is not None:
        values = _next_values(model._meta.db_table, auto_pk.column, len(rows))
        for row, value in zip(rows, values, strict=True):
            row[auto_pk.attname] = value
    stamped = {f.attname for f in _stamped(fields)}
    for row in rows:
        for field in fields:
            if field.attname not in row:
                # a callable default (a UUID) is called for each row, as for each instance
                row[field.attname] = now if field.attname in stamped else field.get_default()
    _copy(model, fields, ([row[f.attname] for f in fields] for row in rows))


def _auto_pk(model: type[models.Model]) -> models.Field | None:
    pk = model._meta.pk
    return pk if isinstance(pk, models.AutoField | models.BigAutoField) else None


def _stamped(fields: list[models.Field]) -> list[models.Field]:
    return [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]


def _copy(model: type[models.Model], fields: list[models.Field], rows: Iterable[list[Any]]) -> None:
    """COPY ROWS (values in FIELDS' order) into MODEL's table."""
    from psycopg.types.json import Jsonb

    jsons = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    # Errors come out as Django's (IntegrityError on a unique clash), as from bulk_create.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for values in rows:
            for i in jsons:
                values[i] = Jsonb(values[i])
            copy.write_row(values)


def _next_values(table: str, column: str, count: int) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())
