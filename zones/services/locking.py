"""Row locks for writes that check what other rows hold: a child's writes lock its parent
row, and the parent's delete locks that same row before it counts the children."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model

from portal.validation import invalid

M = TypeVar("M", bound=Model)


def row_locked(row: M, field: str) -> M:
    """ROW as it is now, locked for this transaction (SELECT ... FOR UPDATE); refused on
    FIELD if it was deleted meanwhile."""
    found = type(row)._default_manager.select_for_update().filter(pk=row.pk).first()
    if found is None:
        noun = type(row)._meta.verbose_name
        raise invalid(field, f"This {noun} was deleted meanwhile.", "gone")
    return found
