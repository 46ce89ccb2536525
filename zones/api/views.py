import django_filters

from portal.api.filters import PortalFilterSet, WholeNumberFilter
from portal.api.viewsets import ServiceModelViewSet
from zones import selectors, services
from zones.api.serializers import ZoneSerializer, ZoneUpdateSerializer
from zones.models import Zone


class ZoneFilter(PortalFilterSet):
    # By id, not a choice among the regions: an unknown region filters to nothing (through
    # the region's own id, whose lookup knows an id too large for any row; region_id's did
    # not, and SQLite raised OverflowError).
    region = WholeNumberFilter(field_name="region__id", help_text="Cloud-wide region id.")
    name = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Zone
        fields = ["region", "network_type", "allocation_state", "name"]


class ZoneViewSet(ServiceModelViewSet):
    """Availability zones; this portal manages only the zones of its own region."""

    model = Zone

    serializer_class = ZoneSerializer
    update_serializer_class = ZoneUpdateSerializer
    filterset_class = ZoneFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created"]
    selector = selectors.zones_visible_to
    instance_kwarg = "zone"
    create_service = services.zone_create
    update_service = services.zone_update
    delete_service = services.zone_delete
