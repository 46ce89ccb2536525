"""The zone list's filters: the REST API, the zone page and listZones (portal/filtering.py)."""

from __future__ import annotations

import django_filters

from portal.api.filters import WholeNumberFilter
from portal.filtering import ListFilterSet
from zones.models import Zone


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
