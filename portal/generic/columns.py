"""Columns of list tables and rows of detail pages, declared once per view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.manager import BaseManager


@dataclass(frozen=True)
class Column:
    """HEADER over the value at ATTR (a dotted path; `get_x_display` works too)."""

    header: str
    attr: str
    link: bool = False
    badge: bool = False

    def value(self, obj: Any) -> Any:
        for part in self.attr.split("."):
            if obj is None:
                return None
            display = getattr(obj, f"get_{part}_display", None)
            obj = display() if callable(display) else getattr(obj, part, None)
            if callable(obj) and not isinstance(obj, BaseManager):  # users.count, not users()
                obj = obj()
        return obj
