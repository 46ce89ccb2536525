"""Inserting many rows at once: PostgreSQL's COPY where it runs, bulk_create elsewhere.

An import of 10,000 users writes 30,000 rows (users, their versions, their changes);
bulk_create spends most of its time turning each value into SQL parameters. COPY streams
the rows instead, and psycopg adapts Python values itself. The caller's transaction holds
the rows as with bulk_create; no signals fire in either case.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    from psycopg.types.json import Jsonb

    meta = model._meta
    now = timezone.now()
    auto_pk = meta.pk if isinstance(meta.pk, models.AutoField | models.BigAutoField) else None
    if auto_pk is not None:
        unset = [obj for obj in objs if getattr(obj, auto_pk.attname) is None]
        values = _next_values(meta.db_table, auto_pk.column, len(unset)) if unset else []
        for obj, value in zip(unset, values, strict=True):
            setattr(obj, auto_pk.attname, value)
    fields = list(meta.concrete_fields)
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    jsons = {f.attname for f in fields if isinstance(f, models.JSONField)}
    for obj in objs:
        for field in stamped:
            if field.auto_now or getattr(obj, field.attname) is None:
                setattr(obj, field.attname, now)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    # Errors come out as Django's (IntegrityError on a unique clash), as from bulk_create.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for obj in objs:
            copy.write_row(
                [
                    Jsonb(value) if name in jsons else value
                    for name, value in ((f.attname, getattr(obj, f.attname)) for f in fields)
                ]
            )
    for obj in objs:  # saved now, as bulk_create leaves them: a later save() updates
        obj._state.adding = False
        obj._state.db = connection.alias


def _next_values(table: str, column: str, count: int) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())
