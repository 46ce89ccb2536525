from rest_framework import serializers

from portal.api.serializers import StrictJSONModelSerializer
from regions.models import Region


class RegionSerializer(StrictJSONModelSerializer):
    id = serializers.IntegerField(min_value=1, help_text="Cloud-wide region id, as in CloudStack.")
    zone_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Region
        fields = [
            "id",
            "uuid",
            "name",
            "description",
            "endpoint",
            "is_local",
            "gslb_service_enabled",
            "portable_ip_service_enabled",
            "zone_count",
            "created",
            "updated",
        ]
        read_only_fields = [
            "uuid",
            "is_local",
            "gslb_service_enabled",
            "portable_ip_service_enabled",
            "created",
            "updated",
        ]
        # Uniqueness is the service's rule (case-insensitive, with a clear message).
        extra_kwargs = {"name": {"validators": []}, "endpoint": {"validators": []}}


class RegionUpdateSerializer(RegionSerializer):
    """The id of a region never changes."""

    id = serializers.IntegerField(read_only=True)
