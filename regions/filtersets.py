"""The region list's filters: the REST API, the region page and listRegions
(portal/filtering.py)."""

from __future__ import annotations

import django_filters

from portal.api.filters import WholeNumberFilter
from portal.filtering import ListFilterSet
from regions.models import Region


class RegionFilterSet(ListFilterSet):
    id = WholeNumberFilter(help_text="Cloud-wide region id.")
    name = django_filters.CharFilter(lookup_expr="iexact")
    search_fields = ("name", "description", "endpoint")

    class Meta:
        model = Region
        fields = ["id", "name", "is_local"]
