from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.viewsets import (
    ServiceCreateMixin,
    ServiceDestroyMixin,
    ServiceModelViewSet,
    ServiceReadViewSet,
    state_action,
)
from portal.permissions import Action, require
from zones import selectors, services
from zones.api.serializers import (
    AlertSerializer,
    ClusterSerializer,
    ClusterUpdateSerializer,
    HostDeleteSerializer,
    HostSerializer,
    HostUpdateSerializer,
    PodSerializer,
    PodUpdateSerializer,
    PublicIpAddressSerializer,
    SimulateSerializer,
    StoragePoolDeleteSerializer,
    StoragePoolSerializer,
    StoragePoolUpdateSerializer,
    VlanIpRangeSerializer,
    ZoneSerializer,
    ZoneUpdateSerializer,
)
from zones.capacity.selectors import capacities_listed
from zones.filtersets import (
    AlertFilterSet,
    ClusterFilterSet,
    HostFilterSet,
    PodFilterSet,
    PublicIpAddressFilterSet,
    StoragePoolFilterSet,
    VlanIpRangeFilterSet,
    ZoneFilterSet,
)
from zones.models import (
    Alert,
    Capacity,
    CapacityType,
    Cluster,
    Host,
    Pod,
    PublicIpAddress,
    StoragePool,
    VlanIpRange,
    Zone,
)


class ZoneViewSet(ServiceModelViewSet):
    """Availability zones; this portal manages only the zones of its own region."""

    model = Zone

    serializer_class = ZoneSerializer
    update_serializer_class = ZoneUpdateSerializer
    filterset_class = ZoneFilterSet
    ordering_fields = ["name", "created"]
    selector = selectors.zones_visible_to
    create_service = services.zone_create
    update_service = services.zone_update
    delete_service = services.zone_delete

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().prefetch_related("guest_vlan_ranges")  # their `vlan`


class PodViewSet(ServiceModelViewSet):
    """Pods of this region's zones: each a subnet (gateway, netmask) and the range of it
    reserved for system VMs (start_ip to end_ip). Root admins only."""

    model = Pod

    serializer_class = PodSerializer
    update_serializer_class = PodUpdateSerializer
    filterset_class = PodFilterSet
    ordering_fields = ["name", "created"]
    selector = selectors.pods_visible_to
    create_service = services.pod_create
    update_service = services.pod_update
    delete_service = services.pod_delete


class ClusterViewSet(ServiceModelViewSet):
    """Clusters of the pods of this region's zones, each of one hypervisor (KVM or
    Simulator), with the CPU and memory overcommit ratios of its hosts. Root admins only."""

    model = Cluster

    serializer_class = ClusterSerializer
    update_serializer_class = ClusterUpdateSerializer
    filterset_class = ClusterFilterSet
    ordering_fields = ["name", "created"]
    selector = selectors.clusters_visible_to
    create_service = services.cluster_create
    update_service = services.cluster_update
    delete_service = services.cluster_delete


class VlanIpRangeViewSet(ServiceCreateMixin, ServiceDestroyMixin, ServiceReadViewSet):
    """Public IP ranges of this region's zones: each a subnet (gateway, netmask) on a VLAN
    and its addresses start_ip to end_ip, with how many are free and allocated. Made and
    deleted, never changed. Root admins only."""

    model = VlanIpRange
    instance_kwarg = "vlan_ip_range"

    serializer_class = VlanIpRangeSerializer
    filterset_class = VlanIpRangeFilterSet
    ordering_fields = ["start_ip", "created"]
    selector = selectors.vlan_ip_ranges_counted
    create_service = services.vlan_ip_range_create
    delete_service = services.vlan_ip_range_delete


class PublicIpAddressViewSet(ServiceReadViewSet):
    """The addresses of the public IP ranges, each free or allocated to an account; made and
    deleted with their range. Root admins only."""

    model = PublicIpAddress

    serializer_class = PublicIpAddressSerializer
    filterset_class = PublicIpAddressFilterSet
    ordering_fields = ["address", "created"]
    selector = selectors.public_ip_addresses_visible_to


class AlertViewSet(ServiceDestroyMixin, ServiceReadViewSet):
    """This region's alerts (a host that stopped answering, a capacity past its
    threshold), newest first. Raised and resolved by the system: read, archive and delete
    only. Root admins only."""

    model = Alert

    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    ordering_fields = ["last_sent", "created"]
    selector = selectors.alerts_visible_to
    delete_service = services.alert_delete
    archive = state_action(services.alert_archive, "archive")


class HostViewSet(ServiceModelViewSet):
    """Hosts of the clusters of this region's zones, discovered from their URL by their
    cluster's hypervisor driver (KVM: libvirt; Simulator: the simulator). DELETE takes
    ?forced=true for a host not in maintenance. Root admins only."""

    model = Host

    serializer_class = HostSerializer
    update_serializer_class = HostUpdateSerializer
    filterset_class = HostFilterSet
    ordering_fields = ["name", "created", "state"]
    selector = selectors.hosts_visible_to
    create_service = services.host_add
    update_service = services.host_update
    delete_service = services.host_delete
    delete_query_serializer = HostDeleteSerializer
    maintenance = state_action(services.host_maintenance_prepare, "maintenance")
    cancel_maintenance = state_action(services.host_maintenance_cancel, "cancel_maintenance")

    @extend_schema(request=SimulateSerializer, responses=SimulateSerializer)
    @action(detail=True, methods=["post"], serializer_class=SimulateSerializer)
    def simulate(self, request: Request, pk: Any = None) -> Response:
        """Make a simulated host stop answering its pings, or answer again (CloudStack's
        configureSimulator)."""
        host = self.get_object()
        body = SimulateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        state = services.simulator_configure(
            host=host, answering=body.validated_data["answering"], by=request.user
        )
        return Response(SimulateSerializer(state).data)


class StoragePoolViewSet(ServiceModelViewSet):
    """Primary storage of this region's zones: cluster-wide (scope CLUSTER, with its pod and
    cluster) or zone-wide (ZONE, with the hypervisor of its hosts); its type, server and path
    come from its URL. DELETE takes ?forced=true to delete a pool with volumes allocated on
    it. Root admins only."""

    model = StoragePool

    serializer_class = StoragePoolSerializer
    update_serializer_class = StoragePoolUpdateSerializer
    filterset_class = StoragePoolFilterSet
    ordering_fields = ["name", "capacity_bytes", "allocated_bytes", "created"]
    selector = selectors.storage_pools_visible_to
    create_service = services.storage_pool_create
    update_service = services.storage_pool_update
    delete_service = services.storage_pool_delete
    delete_query_serializer = StoragePoolDeleteSerializer

    enable = state_action(services.storage_pool_enable, "enable")
    disable = state_action(services.storage_pool_disable, "disable")
    maintain = state_action(services.storage_pool_maintain, "maintain")
    cancel_maintenance = state_action(
        services.storage_pool_cancel_maintenance, "cancel_maintenance"
    )


class CapacityQuerySerializer(serializers.Serializer):
    """GET /api/capacity/'s filters: at most one place, and a type."""

    zone = serializers.UUIDField(required=False, help_text="A zone's rows.")
    pod = serializers.UUIDField(required=False, help_text="A pod's rows.")
    cluster = serializers.UUIDField(required=False, help_text="A cluster's rows.")
    type = serializers.ChoiceField(
        choices=CapacityType.choices, required=False, help_text="One capacity type."
    )


class CapacitySerializer(serializers.Serializer):
    """One capacity: a zone's, pod's or cluster's row, or the region's sum of a type."""

    capacity_type = serializers.IntegerField()
    name = serializers.CharField(help_text="CloudStack's name of the type, such as CPU.")
    level = serializers.CharField(help_text="zone, pod, cluster or region.")
    zone = serializers.UUIDField(source="zone.pk", allow_null=True, default=None)
    pod = serializers.UUIDField(source="pod.pk", allow_null=True, default=None)
    cluster = serializers.UUIDField(source="cluster.pk", allow_null=True, default=None)
    region = serializers.IntegerField(source="region.pk", allow_null=True, default=None)
    total = serializers.IntegerField(help_text="Overprovisioning included.")
    used = serializers.IntegerField(help_text="In use, as hosts and pools report it.")
    allocated = serializers.IntegerField(help_text="Promised to instances, volumes, accounts.")
    percent_used = serializers.CharField()
    percent_allocated = serializers.CharField()


class CapacityView(APIView):
    """This region's capacities, as listCapacity answers them: every zone's rows and the
    region's sums (one per type), or one zone's, pod's or cluster's rows. Root admins only."""

    @extend_schema(
        parameters=[CapacityQuerySerializer],
        responses={200: CapacitySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        require(request.user, Action.VIEW, Capacity)
        empty = {
            name: [f"Send a value, or leave {name} out."]
            for name, value in request.query_params.items()
            if name in CapacityQuerySerializer().fields and not value.strip()
        }
        if empty:
            return Response(empty, 400)
        query = CapacityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        places: dict[str, Any] = {}
        for name, selector in (
            ("zone", selectors.zones_visible_to),
            ("pod", selectors.pods_visible_to),
            ("cluster", selectors.clusters_visible_to),
        ):
            if name in query.validated_data:
                found = selector(actor=request.user).filter(pk=query.validated_data[name]).first()
                if found is None:  # as every list's filters: an unknown one lists nothing
                    return Response([])
                places[name] = found
        figures = capacities_listed(
            actor=request.user, capacity_type=query.validated_data.get("type"), **places
        )
        return Response(CapacitySerializer(figures, many=True).data)
