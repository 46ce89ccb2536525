"""How a write that lost a race answers: a field error (400), never a 500.

Services lock what they depend on (see regions.federation.replication.recorder.lock_version), so
most races already end in a clear refusal. What remains is the database's own word at commit: a
unique name taken by a concurrent request, a parent deleted by one, a row deleted while it was being
saved, a deadlock between two writers. `atomic_write` runs a service in a transaction and turns
those into ValidationErrors naming the field; a deadlock or a serialization failure of the outermost
transaction is retried, since nothing of it stayed."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import ProtectedError

from portal.validation import NON_FIELD, invalid

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

RETRIES = 3
_RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure
_KEY = re.compile(r"Key \((.*?)\)=\(")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?:index '([\w]+)'|[\w]+\.(\w+))")


def atomic_write(func: F | None = None, *, fields: dict[str, str] | None = None) -> Any:
    """Run FUNC in a transaction; a lost race becomes a field error (see the module).

    FIELDS maps a column the database names to the field the caller chose it by, for
    columns derived from others (a domain's path is made from its name):
    `@atomic_write(fields={"path": "name"})`.
    """
    if func is None:
        return functools.partial(atomic_write, fields=fields)
    renamed = fields or {}

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outermost = not transaction.get_connection().in_atomic_block
        for attempt in range(RETRIES):
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except OperationalError as error:
                if outermost and _sqlstate(error) in _RETRYABLE and attempt < RETRIES - 1:
                    log.info("%s: %s; retrying", func.__name__, error)
                    continue
                raise _as_validation(error, renamed) or error from error
            except (IntegrityError, ProtectedError, DatabaseError) as error:
                converted = _as_validation(error, renamed)
                if converted is None:
                    raise
                raise converted from error
        raise AssertionError("unreachable")

    return wrapper  # type: ignore[return-value]


def _sqlstate(error: Exception) -> str | None:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def _as_validation(error: Exception, renamed: dict[str, str]) -> ValidationError | None:
    if isinstance(error, ProtectedError):
        # A delete that rows added meanwhile now depend on: the request chose no field (the
        # rows' own reference to it, `parent` or `domain`, named one the caller never sent).
        held = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        return invalid(
            NON_FIELD,
            f"It is still in use ({', '.join(held)} were added meanwhile, perhaps in another "
            "region). Try again once they are gone.",
            "in_use",
        )
    text = str(error)
    state = _sqlstate(error)
    if isinstance(error, IntegrityError):
        if state == "23505" or "UNIQUE constraint failed" in text:
            field = _field_of(text)
            return invalid(
                renamed.get(field, field),
                "This value was taken at the same moment by another request (perhaps in "
                "another region). Choose another.",
                "unique",
            )
        if state == "23503" or "FOREIGN KEY constraint failed" in text:
            field = _field_of(text)
            if "still referenced" in text:
                return invalid(
                    NON_FIELD,
                    "Something was added to it meanwhile (perhaps in another region); it is "
                    "still in use.",
                    "in_use",
                )
            return invalid(
                field,
                "What this refers to was deleted meanwhile (perhaps in another region).",
                "gone",
            )
        return None
    if "did not affect any rows" in text:
        return invalid(
            NON_FIELD,
            "This object was deleted meanwhile (perhaps in another region).",
            "gone",
        )
    if isinstance(error, OperationalError) and state in _RETRYABLE:
        return invalid(
            NON_FIELD,
            "A concurrent change to the same objects got in the way. Try again.",
            "conflict",
        )
    return None


def _field_of(text: str) -> str:
    match = _KEY.search(text)
    if match:
        # "Key (project_id, account_id)=": the last column is what the request chose (the
        # others scope it); "lower(name::text)" is the column name.
        last = match.group(1).split(",")[-1]
        names = [n for n in re.findall(r"[a-z_]+", last) if n not in {"lower", "text", "upper"}]
        if names:
            column = names[0]
            return column[:-3] if column.endswith("_id") else column
    match = _SQLITE_UNIQUE.search(text)
    if match:
        name = match.group(2) or match.group(1)
        for known in ("username", "name", "endpoint", "api_key", "path"):
            if name == known or name.endswith(f"_{known}_unique") or f"_{known}_" in name:
                return known
        return name
    return NON_FIELD


def commit_without_flush() -> None:
    """Let the current transaction commit without waiting for its WAL to reach the disk
    (PostgreSQL's synchronous_commit off, for this transaction only). A crash can lose it,
    whole, never in part: only for writes that may be lost (peer nonces, health marks)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
