from portal.api.viewsets import ServiceModelViewSet
from zones import selectors, services
from zones.api.serializers import ZoneSerializer, ZoneUpdateSerializer
from zones.filtersets import ZoneFilterSet
from zones.models import Zone


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
