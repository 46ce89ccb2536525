"""Template helpers for the generic pages."""

from __future__ import annotations

from typing import Any

from django import template

from portal.generic.columns import Column

register = template.Library()

BADGE_STYLES = {
    "enabled": "success",
    "active": "success",
    "disabled": "secondary",
    "suspended": "warning",
    "locked": "danger",
    "basic": "info",
    "advanced": "primary",
    # hosts: their state, then their resource state
    "up": "success",
    "alert": "warning",
    "down": "danger",
    "disconnected": "danger",
    "connecting": "info",
    "maintenance": "warning",
    "prepareformaintenance": "info",
    "errorinmaintenance": "danger",
    # alerts
    "open": "danger",
    "resolved": "success",
    "archived": "secondary",
}


@register.filter
def column_value(obj: Any, column: Column) -> Any:
    return column.value(obj)


@register.filter
def badge_style(value: Any) -> str:
    return BADGE_STYLES.get(str(value).lower(), "light")


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with CHANGES applied (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.filter
def column_url(row: Any, column: Column) -> str | None:
    """Where a linked cell points: the value's own page if it has one, else the row's."""
    if not column.link:
        return None
    value = column.value(row)
    if value is None:
        return None
    target = value if hasattr(value, "get_absolute_url") else row
    return target.get_absolute_url()
