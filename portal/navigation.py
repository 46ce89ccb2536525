"""The navigation bar, from the models' declarations: an entry for each model declared with
a menu, shown to whoever may see some of its rows (`portal.permissions.visible`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from portal.declarations import declarations
from portal.permissions import visible


@dataclass
class NavEntry:
    label: str
    url: str = ""
    order: int = 0
    #: a submenu's entries (a group has no URL of its own)
    children: list[NavEntry] = field(default_factory=list)


def menu_for(user: Any) -> list[NavEntry]:
    """The entries USER may follow, in their declared order; groups as submenus."""
    top: list[NavEntry] = []
    groups: dict[str, NavEntry] = {}
    for found in sorted(
        (d for d in declarations() if d.menu is not None), key=lambda d: d.menu.order
    ):
        menu = found.menu
        if visible(user, found.model) is None:
            continue
        entry = NavEntry(menu.label, reverse(menu.url_name), menu.order)
        if not menu.group:
            top.append(entry)
            continue
        if menu.group not in groups:
            groups[menu.group] = NavEntry(menu.group, order=menu.order)
            top.append(groups[menu.group])
        groups[menu.group].children.append(entry)
    return sorted(top, key=lambda entry: entry.order)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context: `nav_entries` for a signed-in user on a set-up portal."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "region", None) is None:
        return {"nav_entries": []}
    return {"nav_entries": menu_for(user)}
