from typing import Any

from rest_framework import serializers

from identity.api.serializers import VisiblePrimaryKey
from portal.api.serializers import StrictJSONModelSerializer, StrictJSONSerializer
from zones import selectors
from zones.models import (
    Alert,
    AllocationState,
    Cluster,
    Host,
    Pod,
    PublicIpAddress,
    StoragePool,
    VlanIpRange,
    Zone,
)


class SubnetAsText:
    """A serializer mixin: a pod's or a public IP range's subnet and range as text (the
    rules of addresses and ranges are the service's); the end left out or empty is the
    start alone."""

    def get_fields(self):
        fields = super().get_fields()
        for name in ("gateway", "netmask", "start_ip"):
            fields[name] = serializers.CharField(allow_blank=True)
        fields["end_ip"] = serializers.CharField(
            required=False,
            allow_blank=True,
            help_text="The last address of the range; left out or empty: the start IP alone.",
        )
        return fields


class GuestVlanRangesField(serializers.CharField):
    """A zone's guest VLAN ranges as text, read from its rows of ranges."""

    def get_attribute(self, instance: Zone) -> str:
        return selectors.zone_vlan_text(instance)


class ZoneSerializer(StrictJSONModelSerializer):
    region = serializers.IntegerField(source="region_id", read_only=True)
    vlan = GuestVlanRangesField(
        required=False,
        allow_blank=True,
        help_text='Advanced zones: the guest VLAN ranges, such as 100-199,300-349 ("": none).',
    )

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
            "vlan",
            "allocation_state",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "region", "created", "updated"]
        # Shapes only: the rules (uniqueness, IP, CIDR and VLAN checks) are the service's.
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


class PodSerializer(SubnetAsText, StrictJSONModelSerializer):
    zone = VisiblePrimaryKey(selector=selectors.zones_visible_to)
    zone_name = serializers.CharField(source="zone.name", read_only=True)

    class Meta:
        model = Pod
        fields = [
            "id",
            "zone",
            "zone_name",
            "name",
            "gateway",
            "netmask",
            "start_ip",
            "end_ip",
            "allocation_state",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "created", "updated"]
        # Shapes only: the rules (addresses, ranges, unique names) are the service's.
        extra_kwargs = {"name": {"validators": []}}


class PodUpdateSerializer(PodSerializer):
    """PUT and PATCH: a pod stays in its zone."""

    zone = serializers.PrimaryKeyRelatedField(read_only=True)


class ClusterSerializer(StrictJSONModelSerializer):
    pod = VisiblePrimaryKey(selector=selectors.pods_visible_to)
    pod_name = serializers.CharField(source="pod.name", read_only=True)
    zone = serializers.UUIDField(source="pod.zone_id", read_only=True, help_text="The pod's zone.")
    zone_name = serializers.CharField(source="pod.zone.name", read_only=True)

    class Meta:
        model = Cluster
        fields = [
            "id",
            "pod",
            "pod_name",
            "zone",
            "zone_name",
            "name",
            "hypervisor",
            "cluster_type",
            "arch",
            "allocation_state",
            "cpu_overcommit_ratio",
            "memory_overcommit_ratio",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "created", "updated"]
        # Shapes only: the rules (unique names, ratios of 1 or more) are the service's.
        extra_kwargs = {"name": {"validators": []}}


class ClusterUpdateSerializer(ClusterSerializer):
    """PUT and PATCH: a cluster stays in its pod and keeps its hypervisor, type and arch."""

    pod = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(ClusterSerializer.Meta):
        read_only_fields = [
            *ClusterSerializer.Meta.read_only_fields,
            "hypervisor",
            "cluster_type",
            "arch",
        ]


class VlanIpRangeSerializer(SubnetAsText, StrictJSONModelSerializer):
    zone = VisiblePrimaryKey(selector=selectors.zones_visible_to)
    zone_name = serializers.CharField(source="zone.name", read_only=True)
    pod = VisiblePrimaryKey(
        selector=selectors.pods_visible_to,
        required=False,
        allow_null=True,
        help_text="Basic zones' direct ranges only: their pod.",
    )
    pod_name = serializers.CharField(source="pod.name", read_only=True, allow_null=True)
    vlan = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text='A VLAN id from 1 to 4094 (answered as "vlan://100"); left out or empty: '
        "untagged.",
    )
    free_addresses = serializers.IntegerField(read_only=True)
    allocated_addresses = serializers.IntegerField(
        read_only=True, help_text="Allocated or being released."
    )

    class Meta:
        model = VlanIpRange
        fields = [
            "id",
            "zone",
            "zone_name",
            "pod",
            "pod_name",
            "vlan",
            "gateway",
            "netmask",
            "start_ip",
            "end_ip",
            "for_virtual_network",
            "free_addresses",
            "allocated_addresses",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "created", "updated"]


class PublicIpAddressSerializer(StrictJSONModelSerializer):
    zone_name = serializers.CharField(source="zone.name", read_only=True)

    class Meta:
        model = PublicIpAddress
        fields = [
            "id",
            "address",
            "range",
            "zone",
            "zone_name",
            "state",
            "account",
            "allocated",
            "created",
        ]
        read_only_fields = fields


class AlertSerializer(StrictJSONModelSerializer):
    """An alert, read-only: the system raises and resolves alerts."""

    name = serializers.CharField(read_only=True, help_text="CloudStack's alert name.")
    state = serializers.CharField(read_only=True, help_text="Open, Resolved or Archived.")

    class Meta:
        model = Alert
        fields = [
            "id",
            "alert_type",
            "name",
            "subject",
            "state",
            "zone",
            "pod",
            "cluster",
            "count",
            "created",
            "last_sent",
            "resolved",
            "archived",
        ]
        read_only_fields = fields


class HostSerializer(StrictJSONModelSerializer):
    """A host: POST names its cluster and URL (and what discovery authenticates with); the
    rest is read from the host by its cluster's driver."""

    cluster = VisiblePrimaryKey(selector=selectors.clusters_visible_to)
    cluster_name = serializers.CharField(source="cluster.name", read_only=True)
    pod = serializers.UUIDField(source="cluster.pod_id", read_only=True, help_text="Its pod.")
    pod_name = serializers.CharField(source="cluster.pod.name", read_only=True)
    zone = serializers.UUIDField(
        source="cluster.pod.zone_id", read_only=True, help_text="Its zone."
    )
    zone_name = serializers.CharField(source="cluster.pod.zone.name", read_only=True)
    username = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="For the discovery only."
    )
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        style={"input_type": "password"},
        help_text="For the discovery only; kept nowhere.",
    )
    allocation_state = serializers.ChoiceField(
        choices=AllocationState.choices,
        write_only=True,
        required=False,
        help_text="Enabled (the default) or Disabled; read it as resource_state.",
    )

    class Meta:
        model = Host
        # what discovery reads, what the pings and instances change, and the stamps
        found = ["host_type", "hypervisor", "state", "resource_state", "cpu_sockets",
                 "cpu_number", "cpu_speed", "memory", "local_storage", "cpu_allocated",
                 "memory_allocated", "last_pinged", "created", "updated"]  # fmt: skip
        fields = [
            "id",
            "cluster",
            "cluster_name",
            "pod",
            "pod_name",
            "zone",
            "zone_name",
            "name",
            "url",
            "username",
            "password",
            "allocation_state",
            "host_tags",
            *found,
        ]
        read_only_fields = ["id", "name", *found]
        # Shapes only: the rules (unique URLs, what the driver accepts) are the service's.
        extra_kwargs = {"url": {"validators": []}}


class HostUpdateSerializer(HostSerializer):
    """PUT and PATCH: a host stays in its cluster at its URL; its name, tags and allocation
    state change (enabling or disabling one in maintenance is refused)."""

    cluster = serializers.PrimaryKeyRelatedField(read_only=True)
    username = password = None  # type: ignore[assignment]  (discovery's, on POST only)

    class Meta(HostSerializer.Meta):
        fields = [f for f in HostSerializer.Meta.fields if f not in ("username", "password")]
        read_only_fields = [
            *(f for f in HostSerializer.Meta.read_only_fields if f != "name"),
            "url",
        ]
        extra_kwargs = {"name": {"required": False, "validators": []}}


class HostDeleteSerializer(serializers.Serializer):
    """The query of DELETE /api/hosts/<id>/."""

    forced = serializers.BooleanField(
        default=False, help_text="Delete it even if it is not in maintenance (CloudStack's)."
    )


class SimulateSerializer(StrictJSONSerializer):
    """The body of POST /api/hosts/<id>/simulate/ (CloudStack's configureSimulator)."""

    answering = serializers.BooleanField(help_text="false: the simulated host stops answering.")


def _cluster_wide(selector: Any, what: str) -> VisiblePrimaryKey:
    """A cluster-wide pool's pod or cluster (WHAT), null for a zone-wide pool."""
    return VisiblePrimaryKey(
        selector=selector, required=False, allow_null=True, help_text=f"Cluster-wide pools: {what}."
    )


class StoragePoolSerializer(StrictJSONModelSerializer):
    zone = VisiblePrimaryKey(selector=selectors.zones_visible_to)
    zone_name = serializers.CharField(source="zone.name", read_only=True)
    pod = _cluster_wide(selectors.pods_visible_to, "the cluster's pod")
    pod_name = serializers.CharField(source="pod.name", read_only=True, allow_null=True)
    cluster = _cluster_wide(selectors.clusters_visible_to, "their cluster")
    cluster_name = serializers.CharField(source="cluster.name", read_only=True, allow_null=True)

    class Meta:
        model = StoragePool
        fields = [
            "id",
            "zone",
            "zone_name",
            "pod",
            "pod_name",
            "cluster",
            "cluster_name",
            "scope",
            "name",
            "url",
            "pool_type",
            "host_address",
            "path",
            "hypervisor",
            "capacity_bytes",
            "used_bytes",
            "allocated_bytes",
            "tags",
            "state",
            "created",
            "updated",
        ]
        read_only_fields = [
            "id",
            "pool_type",
            "host_address",
            "path",
            "used_bytes",
            "allocated_bytes",
            "state",
            "created",
            "updated",
        ]
        # Shapes only: the rules (scope and places, URL, sizes, unique names) are the service's.
        extra_kwargs = {
            "name": {"validators": []},
            "hypervisor": {
                "required": False,
                "allow_null": True,
                "help_text": "Zone-wide pools: the hypervisor of their hosts (cluster-wide "
                "pools take their cluster's).",
            },
            "capacity_bytes": {"help_text": "The size of the share in bytes."},
            "tags": {"help_text": "Storage tags, separated by commas."},
        }


class StoragePoolUpdateSerializer(StoragePoolSerializer):
    """PUT and PATCH: a pool keeps its zone, place, scope, hypervisor and URL; its state
    changes through its actions (enable, disable, maintain, cancel_maintenance)."""

    zone = serializers.PrimaryKeyRelatedField(read_only=True)
    pod = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    cluster = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta(StoragePoolSerializer.Meta):
        read_only_fields = [
            *StoragePoolSerializer.Meta.read_only_fields,
            "scope",
            "url",
            "hypervisor",
        ]


class StoragePoolDeleteSerializer(serializers.Serializer):
    """The query of DELETE /api/storage-pools/<id>/."""

    forced = serializers.BooleanField(
        default=False, help_text="Delete it even if volumes are allocated on it."
    )
