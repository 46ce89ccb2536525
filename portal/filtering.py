"""Filtering once: each list's FilterSet, in its app's `filtersets.py`, narrows the REST list
(django-filter's backend, which also writes the OpenAPI parameters), the portal's list page
and the CloudStack list command alike, through the app's `<model>s_filtered` selector.

A FilterSet names its filters (typed and strict: portal.api.filters.PortalFilterSet) and
`search_fields`, the fields a free-text search looks in (`?q=` on pages, `?search=` in the
REST API). CloudStack's `keyword` is part of each command's contract and keeps the fields
CloudStack searches (portal/cloudstack/calls.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from portal.api.filters import PortalFilterSet


class ListFilterSet(PortalFilterSet):
    """A list's filters and the fields its free-text search looks in."""

    search_fields: tuple[str, ...] = ("name",)


def keyword_q(fields: Iterable[str], text: str) -> Q:
    """Rows where any of FIELDS contains TEXT (case-insensitive)."""
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": text})
    return condition


def filtered(
    queryset: QuerySet,
    filterset_class: type[ListFilterSet],
    filters: Mapping[str, Any] | None = None,
    *,
    search: str = "",
    lenient: bool = False,
) -> QuerySet:
    """QUERYSET narrowed by FILTERS (a filter's name → value; names of no filter are
    ignored) and by SEARCH in the FilterSet's search fields. A value a filter cannot read
    raises a ValidationError naming the filter, and never widens the list.

    LENIENT is CloudStack's way with a list's filters (its parameters' types are checked
    before): a choice matches whatever its case (`state=Enabled`), and a value that matches
    no choice, or that a filter cannot take (`id=0`), lists nothing."""
    if not filters and not search.strip():
        return queryset  # nothing to narrow: no FilterSet to build (a list's common case)
    filters = filters if filters is not None else {}
    if lenient:
        filters = _choices_matched(filterset_class, filters)
        if filters is None:
            return queryset.none()
    filterset = filterset_class(filters, queryset=queryset)
    if lenient and not filterset.is_valid():
        return queryset.none()
    if not filterset.is_valid():
        raise ValidationError(
            {
                name: [str(message) for message in errors]
                for name, errors in filterset.errors.items()
            }
        )
    rows = filterset.qs
    search = search.strip()
    if search:
        rows = rows.filter(keyword_q(filterset_class.search_fields, search))
    return rows


def filtered_selector(
    visible_to: Callable[..., QuerySet], filterset_class: type[ListFilterSet]
) -> Callable[..., QuerySet]:
    """An app's list selector, `<model>s_filtered(*, actor, filters=None, search="",
    lenient=False)`: the rows VISIBLE_TO(actor=...) gives, narrowed by FILTERSET_CLASS's
    FILTERS and SEARCH (see filtered)."""

    def selector(
        *, actor: Any, filters: Any = None, search: str = "", lenient: bool = False
    ) -> QuerySet:
        rows = visible_to(actor=actor)
        return filtered(rows, filterset_class, filters, search=search, lenient=lenient)

    # It is the app's own selector, `zones_filtered` beside `zones_visible_to`.
    selector.__module__ = visible_to.__module__
    selector.__name__ = selector.__qualname__ = (
        visible_to.__name__.removesuffix("_visible_to") + "_filtered"
    )
    selector.__doc__ = (
        f"What {visible_to.__name__} gives ACTOR, narrowed by FILTERS "
        f"({filterset_class.__name__}'s names) and SEARCH."
    )
    return selector


def _choices_matched(
    filterset_class: type[ListFilterSet], filters: Mapping[str, Any]
) -> dict[str, Any] | None:
    """FILTERS with each choice filter's value replaced by the choice it names, whatever
    its case; None when a value names no choice."""
    matched = dict(filters)
    for name, value in filters.items():
        field = filterset_class.base_filters.get(name)
        if not isinstance(field, django_filters.ChoiceFilter):
            continue
        choices = {str(key).lower(): key for key, _ in field.extra["choices"]}
        key = choices.get(str(value).lower())
        if key is None:
            return None
        matched[name] = key
    return matched
