from rest_framework import serializers

from portal.api.serializers import StrictJSONModelSerializer
from zones.models import Zone


class ZoneSerializer(StrictJSONModelSerializer):
    region = serializers.IntegerField(source="region_id", read_only=True)

    class Meta:
        model = Zone
        fields = [
            "id",
            "name",
            "description",
            "region",
            "network_type",
            "dns1",
            "dns2",
            "internal_dns1",
            "internal_dns2",
            "guest_cidr",
            "allocation_state",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "region", "created", "updated"]
        # Shapes only: the rules (uniqueness, IP and CIDR checks) are the service's.
        extra_kwargs = {
            "name": {"validators": []},
            "dns1": {"required": True},
            "internal_dns1": {"required": True},
        }

    def get_fields(self):
        fields = super().get_fields()
        for name in ("dns1", "dns2", "internal_dns1", "internal_dns2"):
            fields[name] = serializers.CharField(
                required=name in ("dns1", "internal_dns1"), allow_blank=True, allow_null=True
            )
        return fields


class ZoneUpdateSerializer(ZoneSerializer):
    """PUT and PATCH: a zone keeps its network type."""

    class Meta(ZoneSerializer.Meta):
        read_only_fields = [*ZoneSerializer.Meta.read_only_fields, "network_type"]
