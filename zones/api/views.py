from portal.api.viewsets import ServiceModelViewSet, ServiceReadViewSet, state_action
from zones import selectors, services
from zones.api.serializers import (
    AlertSerializer,
    ClusterSerializer,
    ClusterUpdateSerializer,
    PodSerializer,
    PodUpdateSerializer,
    ZoneSerializer,
    ZoneUpdateSerializer,
)
from zones.filtersets import AlertFilterSet, ClusterFilterSet, PodFilterSet, ZoneFilterSet
from zones.models import Alert, Cluster, Pod, Zone


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


class AlertViewSet(ServiceReadViewSet):
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
