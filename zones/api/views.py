from portal.api.viewsets import ServiceModelViewSet
from zones import selectors, services
from zones.api.serializers import (
    PodSerializer,
    PodUpdateSerializer,
    ZoneSerializer,
    ZoneUpdateSerializer,
)
from zones.filtersets import PodFilterSet, ZoneFilterSet
from zones.models import Pod, Zone


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
