"""Change log pages (root admins): the cloud-wide list, and one object's changes (the
"Changes" tab of every object page)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.text import capfirst
from django.views.generic import TemplateView

from portal.models import ObjectChange
from portal.permissions import Action, require
from regions.federation.change_log.display import rows_shown
from regions.federation.change_log.forms import ChangeFilterForm
from regions.federation.change_log.selectors import (
    ChangeFilters,
    cloud_changes,
    cursor_parse,
    logged_model,
    object_history,
)


class ChangeLogMixin(LoginRequiredMixin):
    shown_in_every_region = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require(request.user, Action.VIEW, ObjectChange)
        return super().dispatch(request, *args, **kwargs)


class ChangeListView(ChangeLogMixin, TemplateView):
    """Every region's changes, newest first, filtered by user, type, action, region, time."""

    template_name = "regions/change_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = ChangeFilterForm(self.request.GET or None)
        page = None
        if not form.is_bound:
            page = cloud_changes(ChangeFilters(), before=None)
        elif form.is_valid():
            before = cursor_parse(self.request.GET.get("before", ""))
            page = cloud_changes(form.filters(), before=before)
        return super().get_context_data(
            title="Changes",
            form=form,
            changes=rows_shown(page.changes) if page else [],
            next_cursor=page.next if page else None,
            unreachable=page.unreachable if page else [],
            **kwargs,
        )


def _with_differences(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each of ROWS (newest first) with `differences`: (field, before, after) against the
    change before it."""
    for row, older in zip(rows, [*rows[1:], None], strict=True):
        previous = older["data"] if older else {}
        row["differences"] = [
            (name, previous.get(name), value)
            for name, value in row["data"].items()
            if older is None or previous.get(name) != value
        ]
    return rows


class ObjectChangesView(ChangeLogMixin, TemplateView):
    """One object's changes, from every region for a cloud-wide model, with what changed."""

    template_name = "regions/object_changes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        label, object_id = self.kwargs["model"], self.kwargs["object_id"]
        found = logged_model(label)
        if found is None:
            raise Http404("No such object type.")
        page = object_history(label, object_id)
        rows = _with_differences(rows_shown(page.changes))
        obj = _object(found.model, object_id)
        name = str(obj) if obj is not None else (rows[0]["object_repr"] if rows else object_id)
        return super().get_context_data(
            title=f"{capfirst(found.model._meta.verbose_name)} {name}: changes",
            object=obj,
            object_url=obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None,
            changes=rows,
            unreachable=page.unreachable,
            **kwargs,
        )


def _object(model: type[Model], object_id: str) -> Model | None:
    """The object, while it exists here (its changes outlive it)."""
    try:
        key = model._meta.pk.to_python(object_id)
    except ValidationError:
        return None
    return model._default_manager.filter(pk=key).first()
