"""Query filters of the REST API: django-filter's and DRF's, strict.

django-filter skips a filter whose value it cannot read (`?is_local=maybe`, `?parent=`), so
a client's typo would be answered with the whole list. Here such a value is a 400 naming the
parameter, as the paging parameters are (portal/api/pagination.py). A value that can be read
but matches nothing (an unknown or invisible id) is an empty list: filters never reveal
what exists.
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError

#: what a boolean query parameter may say (OpenAPI writes booleans as true and false)
BOOLEAN_WORDS = {"true": True, "false": False}


class WholeNumberFilter(django_filters.NumberFilter):
    """An id or count: a whole number from MIN_VALUE up (django-filter's NumberFilter takes
    any decimal, so `?id=0.5` filtered to nothing)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, min_value: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, min_value=min_value, **kwargs)
        schema = {"type": "integer", "minimum": min_value}
        if kwargs.get("help_text"):
            schema["description"] = kwargs["help_text"]
        extend_schema_field(schema)(self)


class PortalFilterSet(django_filters.FilterSet):
    """Every REST list's FilterSet. Only leaving a parameter out means "no filter": a typed
    filter sent blank is refused, and a boolean must say true or false."""

    def get_form_class(self) -> type[forms.Form]:
        typed = {
            name: isinstance(f, django_filters.BooleanFilter)
            for name, f in self.filters.items()
            if not isinstance(f, django_filters.CharFilter)
        }

        class StrictForm(super().get_form_class()):
            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                for name, boolean in typed.items():
                    raw = self.data.get(name)
                    if raw is None:
                        continue
                    if boolean and raw.lower() not in BOOLEAN_WORDS:
                        self.add_error(name, f"Send true or false, or leave {name} out.")
                    elif raw == "" and name not in self.errors:
                        self.add_error(name, f"Send a value, or leave {name} out.")
                return cleaned

        return StrictForm


class SearchFilter(filters.SearchFilter):
    """DRF's ?search=, whose errors (a null character) name the parameter."""

    def get_search_terms(self, request: Any) -> list[str]:
        try:
            return super().get_search_terms(request)
        except ValidationError as error:
            raise ValidationError({self.search_param: error.detail}) from error


class OrderingFilter(filters.OrderingFilter):
    """DRF's ?ordering= (`name`, `-created`, `name,-created`), strict: a term naming no
    field the list orders by is a 400 naming the parameter, where DRF would serve the
    default order; the schema lists the terms."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> Any:
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            return self.get_default_ordering(view)
        terms = raw.split(",")
        if self.remove_invalid_fields(queryset, terms, view, request) != terms:
            names = [name for name, _ in self.get_valid_fields(queryset, view)]
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Order by {', '.join(names)} (a leading - reverses), comma-separated."
                    ]
                }
            )
        return terms

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if not isinstance(fields, list | tuple):
            return parameters
        names = [name if isinstance(name, str) else name[0] for name in fields]
        term = f"-?({'|'.join(re.escape(name) for name in names)})"
        parameters[0]["schema"]["pattern"] = f"^{term}(,{term})*$"
        parameters[0]["description"] = (
            f"Order by {', '.join(names)} (a leading - reverses); several, comma-separated."
        )
        return parameters
