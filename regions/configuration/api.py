"""/api/settings/: list, read and change settings (by name, as CloudStack's API does).

Reads go through the selectors (admins only; others see nothing), writes through the
services (root admin only). A value is sent as JSON of the setting's type, or as text;
`"value": null` resets to the default. With `zone`, a zone-scoped setting is read or
changed in that zone only.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from identity.permissions import Action, require
from portal.validation import invalid
from regions.configuration import selectors, services
from regions.configuration.values import value_parse
from regions.models.configuration import Setting, SettingScope
from zones.models import Zone
from zones.selectors import zones_visible_to


def _typed(setting: Setting, text: str | None) -> Any:
    if text is None:
        return None
    try:
        return value_parse(setting, text)
    except ValueError:
        return text


@extend_schema_field(OpenApiTypes.ANY)
class SettingValueField(serializers.JSONField):
    """A value of the setting's type: a string, number or boolean."""


class SettingSerializer(serializers.ModelSerializer):
    default = serializers.SerializerMethodField()
    value = SettingValueField(
        allow_null=True, help_text="This region's (or, for global settings, the cloud's) value."
    )
    effective = serializers.SerializerMethodField(
        help_text="The value in force: the zone's, else the value, else the default."
    )
    source = serializers.CharField(read_only=True, help_text="zone, region, global or default.")
    zone_value = serializers.SerializerMethodField(
        help_text="The chosen zone's own value (with ?zone= only)."
    )
    replicated = serializers.SerializerMethodField()

    class Meta:
        model = Setting
        fields = [
            "id",
            "name",
            "category",
            "description",
            "type",
            "scope",
            "choices",
            "min_value",
            "max_value",
            "default",
            "value",
            "zone_value",
            "effective",
            "source",
            "replicated",
            "updated",
        ]
        read_only_fields = [f for f in fields if f != "value"]

    @extend_schema_field(OpenApiTypes.ANY)
    def get_default(self, setting: Setting) -> Any:
        return _typed(setting, setting.default)

    @extend_schema_field(OpenApiTypes.ANY)
    def get_effective(self, setting: Setting) -> Any:
        return _typed(setting, getattr(setting, "effective", None))

    @extend_schema_field(OpenApiTypes.ANY)
    def get_zone_value(self, setting: Setting) -> Any:
        return _typed(setting, getattr(setting, "zone_value", None))

    def get_replicated(self, setting: Setting) -> bool:
        return setting.scope == SettingScope.GLOBAL

    def to_representation(self, setting: Setting) -> dict[str, Any]:
        data = super().to_representation(setting)
        data["value"] = _typed(setting, setting.value)
        return data


class SettingUpdateSerializer(serializers.Serializer):
    value = SettingValueField(allow_null=True)
    zone = serializers.UUIDField(
        required=False, allow_null=True, help_text="Change the value in this zone only."
    )


class SettingResetSerializer(serializers.Serializer):
    zone = serializers.UUIDField(
        required=False, allow_null=True, help_text="Reset this zone's own value only."
    )


class SettingFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    category = django_filters.CharFilter(lookup_expr="iexact")
    scope = django_filters.ChoiceFilter(choices=SettingScope.choices)

    class Meta:
        model = Setting
        fields = ["name", "category", "scope", "type"]


ZONE_PARAMETER = OpenApiParameter(
    "zone", OpenApiTypes.UUID, description="Show zone-scoped settings as they hold in this zone."
)


@extend_schema(parameters=[ZONE_PARAMETER])
class SettingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Global configuration: every setting with its effective value."""

    serializer_class = SettingSerializer
    filterset_class = SettingFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "category", "scope"]
    lookup_field = "name"
    lookup_value_regex = r"[^/]+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require(request.user, Action.VIEW, Setting)  # admins only: a 403, not an empty list

    def _zone(self, raw: Any, *, field: str = "zone") -> Zone | None:
        if raw in (None, ""):
            return None
        try:
            return zones_visible_to(actor=self.request.user).get(pk=raw)
        except (ObjectDoesNotExist, ValueError, ValidationError) as error:
            raise invalid(field, f"There is no zone {raw}.", "unknown") from error

    def get_queryset(self) -> QuerySet[Setting]:
        raw = self.request.query_params.get("zone")
        if raw is not None and not raw.strip():
            raise invalid("zone", "Send a zone id, or leave zone out.", "required")
        return selectors.settings_list(actor=self.request.user, zone=self._zone(raw))

    def _respond(self, setting: Setting, zone: Zone | None) -> Response:
        fresh = selectors.settings_list(actor=self.request.user, zone=zone).get(pk=setting.pk)
        return Response(SettingSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=SettingUpdateSerializer, responses=SettingSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        setting = self.get_object()
        payload = SettingUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        zone = self._zone(payload.validated_data.get("zone"))
        if "value" not in request.data:
            raise invalid("value", "This field is required.", "required")
        if payload.validated_data["value"] is None:
            services.setting_reset(name=setting.name, zone=zone, by=request.user)
        else:
            services.setting_update(
                name=setting.name,
                value=payload.validated_data["value"],
                zone=zone,
                by=request.user,
            )
        return self._respond(setting, zone)

    @extend_schema(request=SettingUpdateSerializer, responses=SettingSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, **kwargs)

    @extend_schema(request=SettingResetSerializer, responses=SettingSerializer)
    @action(detail=True, methods=["post"])
    def reset(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Back to the default (with `zone`: that zone back to the region's value)."""
        setting = self.get_object()
        payload = SettingResetSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        zone = self._zone(payload.validated_data.get("zone"))
        services.setting_reset(name=setting.name, zone=zone, by=request.user)
        return self._respond(setting, zone)
