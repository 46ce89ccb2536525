"""The shared base of every REST serializer that reads a request body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from rest_framework import serializers


def json_types(field: serializers.Field) -> tuple[type, ...] | None:
    """The JSON types the schema gives FIELD, as Python types; None where DRF's own reading
    is already strict (related objects, JSON values, nested serializers) or the schema
    allows more than one (a decimal is a number or a string)."""
    if isinstance(field, serializers.BooleanField):
        return (bool,)
    if isinstance(field, serializers.IntegerField):
        return (int,)
    if isinstance(field, serializers.FloatField):
        return (int, float)
    if isinstance(field, serializers.ChoiceField):
        return tuple({type(choice) for choice in field.choices}) or None
    if isinstance(field, serializers.CharField | serializers.UUIDField):
        return (str,)
    if isinstance(field, serializers.DateTimeField | serializers.DateField):
        return (str,)
    return None


class StrictJSONSerializer(serializers.Serializer):
    """A JSON body's values must have the type the schema gives their field. DRF reads 5 as
    the text "5", "true" and 1 as true, and 7 as a UUID, so a client's type mistake would be
    stored as a surprise; here it is a 400 naming the field. A form (a QueryDict) carries
    only text, so its values are read as DRF reads them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping) and not isinstance(data, QueryDict):
            errors = {}
            for field in self._writable_fields:
                value = data.get(field.field_name)
                types = json_types(field)
                if value is None or types is None:
                    continue
                if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
                    errors[field.field_name] = [f"Send {_json_type_name(types)}."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictJSONModelSerializer(StrictJSONSerializer, serializers.ModelSerializer):
    """A ModelSerializer with StrictJSONSerializer's reading of JSON bodies."""


def _json_type_name(types: tuple[type, ...]) -> str:
    if bool in types:
        return "true or false"
    if str in types:
        return "a string"
    if float in types:
        return "a number"
    return "a whole number"
