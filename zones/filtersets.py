"""The filters of zones' lists: the REST API, the list pages and the CloudStack list commands
(portal/filtering.py)."""

from __future__ import annotations

import django_filters

from portal.api.filters import WholeNumberFilter
from portal.filtering import ListFilterSet
from zones.models import Alert, Cluster, Host, HostType, Pod, StoragePool, Zone


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
