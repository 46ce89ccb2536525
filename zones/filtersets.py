"""The filters of zones' lists: the REST API, the list pages and the CloudStack list commands
(portal/filtering.py)."""

from __future__ import annotations

import django_filters

from portal.api.filters import WholeNumberFilter
from portal.filtering import ListFilterSet
from zones.models import (
    UNTAGGED,
    Alert,
    Cluster,
    DedicatedGuestVlanRange,
    Host,
    HostType,
    Pod,
    PublicIpAddress,
    StoragePool,
    VlanIpRange,
    Zone,
)


class ZoneFilterSet(ListFilterSet):
    # By id, not a choice among the regions: an unknown region filters to nothing (through
    # the region's own id, whose lookup knows an id too large for any row; region_id's did
    # not, and SQLite raised OverflowError).
    region = WholeNumberFilter(field_name="region__id", help_text="Cloud-wide region id.")
    name = django_filters.CharFilter(lookup_expr="iexact")
    search_fields = ("name", "description")

    class Meta:
        model = Zone
        fields = ["region", "network_type", "allocation_state", "name"]


class PodFilterSet(ListFilterSet):
    # A UUID, not a choice among the zones: an unknown zone filters to nothing.
    zone = django_filters.UUIDFilter(field_name="zone_id", help_text="The zone's id.")
    name = django_filters.CharFilter(lookup_expr="iexact")
    search_fields = ("name", "zone__name")

    class Meta:
        model = Pod
        fields = ["zone", "name", "allocation_state"]


class ClusterFilterSet(ListFilterSet):
    # UUIDs, not choices among the zones and pods: an unknown one filters to nothing.
    zone = django_filters.UUIDFilter(field_name="pod__zone_id", help_text="The zone's id.")
    pod = django_filters.UUIDFilter(field_name="pod_id", help_text="The pod's id.")
    name = django_filters.CharFilter(lookup_expr="iexact")
    search_fields = ("name", "pod__name", "pod__zone__name")

    class Meta:
        model = Cluster
        fields = ["zone", "pod", "name", "hypervisor", "cluster_type", "arch", "allocation_state"]


def _vlan_tag(value: str) -> str:
    """A VLAN as a range keeps it: "100" and "vlan://100" are "vlan://100"."""
    text = value.strip().lower()
    number = text.removeprefix("vlan://")
    if number.isascii() and number.isdigit() and len(number) <= 9:
        return f"vlan://{int(number)}"
    return UNTAGGED if number == UNTAGGED else text


class VlanIpRangeFilterSet(ListFilterSet):
    # UUIDs, not choices among the zones and pods: an unknown one filters to nothing.
    zone = django_filters.UUIDFilter(field_name="zone_id", help_text="The zone's id.")
    pod = django_filters.UUIDFilter(field_name="pod_id", help_text="The pod's id.")
    vlan = django_filters.CharFilter(
        method="filter_vlan", help_text="A VLAN id (100 or vlan://100), or untagged."
    )
    search_fields = ("start_ip", "end_ip", "gateway", "vlan", "zone__name", "pod__name")

    class Meta:
        model = VlanIpRange
        fields = ["zone", "pod", "vlan", "for_virtual_network"]

    def filter_vlan(self, queryset, name: str, value: str):
        return queryset.filter(vlan=_vlan_tag(value))


class PublicIpAddressFilterSet(ListFilterSet):
    zone = django_filters.UUIDFilter(field_name="zone_id", help_text="The zone's id.")
    range = django_filters.UUIDFilter(field_name="range_id", help_text="The range's id.")
    account = django_filters.UUIDFilter(field_name="account_id", help_text="The account's id.")
    search_fields = ("address", "zone__name")

    class Meta:
        model = PublicIpAddress
        fields = ["zone", "range", "state", "account"]


class DedicatedGuestVlanRangeFilterSet(ListFilterSet):
    zone = django_filters.UUIDFilter(field_name="zone_id", help_text="The zone's id.")
    account = django_filters.UUIDFilter(field_name="account_id", help_text="The account's id.")
    domain = django_filters.UUIDFilter(
        field_name="account__domain_id", help_text="The account's domain's id."
    )
    search_fields = ("account__name", "zone__name")

    class Meta:
        model = DedicatedGuestVlanRange
        fields = ["zone", "account", "domain"]


class AlertFilterSet(ListFilterSet):
    zone = django_filters.UUIDFilter(field_name="zone_id", help_text="The zone's id.")
    resolved = django_filters.BooleanFilter(
        field_name="resolved", lookup_expr="isnull", exclude=True, help_text="Closed alerts."
    )
    search_fields = ("subject",)

    class Meta:
        model = Alert
        fields = ["alert_type", "zone", "resolved", "archived"]


class HostFilterSet(ListFilterSet):
    # UUIDs, not choices among the zones, pods and clusters: an unknown one filters to nothing.
    zone = django_filters.UUIDFilter(field_name="cluster__pod__zone_id", help_text="The zone's id.")
    pod = django_filters.UUIDFilter(field_name="cluster__pod_id", help_text="The pod's id.")
    cluster = django_filters.UUIDFilter(field_name="cluster_id", help_text="The cluster's id.")
    name = django_filters.CharFilter(lookup_expr="iexact")
    host_type = django_filters.ChoiceFilter(choices=HostType.choices, help_text="Routing.")
    search_fields = (
        "name",
        "url",
        "cluster__name",
        "cluster__pod__name",
        "cluster__pod__zone__name",
    )

    class Meta:
        model = Host
        fields = [
            "zone",
            "pod",
            "cluster",
            "name",
            "host_type",
            "hypervisor",
            "state",
            "resource_state",
        ]


class StoragePoolFilterSet(ListFilterSet):
    # UUIDs, not choices among the zones, pods and clusters: an unknown one filters to nothing.
    zone = django_filters.UUIDFilter(field_name="zone_id", help_text="The zone's id.")
    pod = django_filters.UUIDFilter(field_name="pod_id", help_text="The pod's id.")
    cluster = django_filters.UUIDFilter(field_name="cluster_id", help_text="The cluster's id.")
    name = django_filters.CharFilter(lookup_expr="iexact")
    host_address = django_filters.CharFilter(
        lookup_expr="iexact", help_text="The server of the share (CloudStack's ipaddress)."
    )
    path = django_filters.CharFilter(help_text="The path of the share.")
    search_fields = ("name", "zone__name", "pod__name", "cluster__name", "url", "tags")

    class Meta:
        model = StoragePool
        fields = [
            "zone",
            "pod",
            "cluster",
            "name",
            "scope",
            "pool_type",
            "hypervisor",
            "state",
            "host_address",
            "path",
        ]
