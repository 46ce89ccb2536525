"""/api/settings/: list, read and change settings (by name, as CloudStack's API does).

Reads go through the selectors (admins only; others see nothing), writes through the
services (root admin only). A value is sent as JSON of the setting's type, or as text;
`"value": null` resets to the default. With `zone`, a zone-scoped setting is read (`?zone=`)
or changed (`"zone"` in the body) in that zone only.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from portal.api.serializers import StrictJSONSerializer
from portal.permissions import Action, require
from portal.validation import invalid
from regions.configuration import selectors, services
from regions.configuration.filtersets import SettingFilterSet
from regions.configuration.values import value_parse
from regions.models.configuration import Setting, SettingScope


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


class SettingUpdateSerializer(StrictJSONSerializer):
    value = SettingValueField(allow_null=True)
    zone = serializers.UUIDField(
        required=False, allow_null=True, help_text="Change the value in this zone only."
    )


class SettingResetSerializer(StrictJSONSerializer):
    zone = serializers.UUIDField(
        required=False, allow_null=True, help_text="Reset this zone's own value only."
    )


ZONE_PARAMETER = OpenApiParameter(
    "zone",
    OpenApiTypes.UUID,
    description="Show zone-scoped settings as they hold in this zone (404 if there is none).",
)
NO_SUCH_ZONE = OpenApiResponse(description="There is no zone of the id in ?zone= (named).")


@extend_schema_view(
    list=extend_schema(
        parameters=[ZONE_PARAMETER],
        responses={200: SettingSerializer(many=True), 404: NO_SUCH_ZONE},
    ),
    retrieve=extend_schema(parameters=[ZONE_PARAMETER]),
)
class SettingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Global configuration: every setting with its effective value."""

    serializer_class = SettingSerializer
    filterset_class = SettingFilterSet
    search_fields = SettingFilterSet.search_fields
    ordering_fields = ["name", "category", "scope"]
    lookup_field = "name"
    # Setting names are dotted words (session.timeout): anything else is no setting, and a
    # null character must never reach the database (PostgreSQL refuses it: a 500).
    lookup_value_regex = r"[A-Za-z0-9._-]+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require(request.user, Action.VIEW, Setting)  # admins only: a 403, not an empty list

    def _zone(self, raw: Any) -> Any:
        """The zone a write's body names: like every reference in a body, one the actor
        cannot see is a 400 naming the field."""
        if raw in (None, ""):
            return None
        try:
            return selectors.local_zones(actor=self.request.user).get(pk=raw)
        except (ObjectDoesNotExist, ValueError, ValidationError) as error:
            raise invalid("zone", f"There is no zone {raw}.", "unknown") from error

    def _query_zone(self) -> Any:
        """The zone of ?zone= on a read. A value that is no zone id is a 400, an id of no
        zone the actor sees a 404 (as a zone's own URL would be), both naming `zone`; a
        write names its zone in the body, so there ?zone= is refused rather than ignored."""
        raw = self.request.query_params.get("zone")
        if raw is None:
            return None
        if self.action not in ("list", "retrieve"):
            raise invalid("zone", "Send the zone in the request body, not in the query.")
        if not raw.strip():
            raise invalid("zone", "Send a zone id, or leave zone out.", "required")
        try:
            pk = uuid.UUID(raw)
        except ValueError as error:
            raise invalid("zone", f"{raw} is not a zone id.") from error
        zone = selectors.local_zones(actor=self.request.user).filter(pk=pk).first()
        if zone is None:
            raise NotFound({"zone": [f"There is no zone {raw}."]})
        return zone

    def get_queryset(self) -> QuerySet[Setting]:
        return selectors.settings_list(actor=self.request.user, zone=self._query_zone())

    def _respond(self, setting: Setting, zone: Any) -> Response:
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
