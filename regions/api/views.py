from portal.api.viewsets import ServiceModelViewSet
from regions import selectors, services
from regions.api.serializers import RegionSerializer, RegionUpdateSerializer
from regions.filtersets import RegionFilterSet
from regions.models import Region


class RegionViewSet(ServiceModelViewSet):
    """The region registry: every region of the cloud and its portal endpoint."""

    model = Region

    serializer_class = RegionSerializer
    update_serializer_class = RegionUpdateSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["id", "name"]
    selector = selectors.regions_visible_to
    create_service = services.region_create
    update_service = services.region_update
    delete_service = services.region_delete
