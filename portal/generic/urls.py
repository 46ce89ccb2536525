"""The routes of an object's generic pages (portal/generic/views.py), one naming scheme for
every app: <name>_list, <name>_add, <name>, <name>_edit, <name>_delete, <name>_action."""

from __future__ import annotations

from django.urls import URLPattern, path
from django.views import View


def object_routes(
    prefix: str,
    name: str,
    list_view: type[View],
    detail: type[View],
    edit: type[View],
    delete: type[View],
    action: type[View] | None = None,
    *,
    pk: str = "uuid",
    editable: bool = True,
) -> list[URLPattern]:
    """The five (or, with ACTION, six) routes of the object NAME under PREFIX ("" for the
    app's root); PK is the path converter of its key (uuid, int). An object that is not
    EDITABLE once made has no edit route (its EDIT view only adds)."""
    base = f"{prefix}/" if prefix else ""
    one = f"{base}<{pk}:pk>/"
    routes = [
        path(base, list_view.as_view(), name=f"{name}_list"),
        path(f"{base}add/", edit.as_view(), name=f"{name}_add"),
        path(one, detail.as_view(), name=name),
        path(f"{one}delete/", delete.as_view(), name=f"{name}_delete"),
    ]
    if editable:
        routes.insert(3, path(f"{one}edit/", edit.as_view(), name=f"{name}_edit"))
    if action is not None:
        routes.append(path(f"{one}<slug:action>/", action.as_view(), name=f"{name}_action"))
    return routes
